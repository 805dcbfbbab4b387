# signer.cmake - auth/signer through the running gateway, tokens checked by openssl.
gw_e2e_test(e2e_signer signer.sh)
