# auth/validator end to end (tests/e2e/validator.sh): openssl-minted tokens, attacks, key sources.
gw_e2e_test(e2e_validator validator.sh)
