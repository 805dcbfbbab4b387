# The request reader against Node's llhttp (tests/e2e/h1_differential.sh); skipped without node.
gw_e2e_test(e2e_h1_differential h1_differential.sh)
set_tests_properties(e2e_h1_differential PROPERTIES SKIP_RETURN_CODE 77)
