# proxy.cmake - the proxy namespace (flatmap_filter, sequential_propagated_params, shadow) and
# backend/graphql through the running gateway.
gw_e2e_test(e2e_proxy proxy.sh)
