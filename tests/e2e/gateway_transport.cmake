# lura's backend transport options and client_tls (tests/e2e/gateway_transport.sh).
gw_e2e_test(e2e_gateway_transport gateway_transport.sh)
