# gin engine options of the router namespace (tests/e2e/gateway_router_opts.sh).
gw_e2e_test(e2e_gateway_router_opts gateway_router_opts.sh)
