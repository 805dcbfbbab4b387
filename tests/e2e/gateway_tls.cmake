# The service tls block (tests/e2e/gateway_tls.sh).
gw_e2e_test(e2e_gateway_tls gateway_tls.sh)
