# client_credentials.cmake - auth/client-credentials against mock-thunder through the running gateway.
gw_e2e_test(e2e_client_credentials client_credentials.sh)
