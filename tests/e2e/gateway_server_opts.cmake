# The service http.Server options (tests/e2e/gateway_server_opts.sh).
gw_e2e_test(e2e_gateway_server_opts gateway_server_opts.sh)
