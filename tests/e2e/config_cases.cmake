# config_cases.cmake - check/--lint/audit/--strict/flexible configuration as a table of cases
# (tests/data/cli/*: a configuration, the command, the expected exit status and messages).
gw_e2e_test(config_cases config_cases.sh)
