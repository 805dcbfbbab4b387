gw_e2e_test(e2e_browser_cors browser_cors.sh)
