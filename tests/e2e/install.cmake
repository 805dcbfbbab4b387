# `cmake --install` layout, including the krakend link (tests/e2e/install.sh).
gw_e2e_test(e2e_install install.sh)
