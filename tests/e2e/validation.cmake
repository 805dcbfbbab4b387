# validation/json-schema and validation/cel end to end (tests/e2e/validation.sh).
gw_e2e_test(e2e_validation validation.sh)
