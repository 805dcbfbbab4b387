gw_e2e_test(e2e_security security.sh)
