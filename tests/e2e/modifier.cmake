# modifier/martian and modifier/lua-* through the running gateway (tests/e2e/modifier.sh).
gw_e2e_test(e2e_modifier modifier.sh)
