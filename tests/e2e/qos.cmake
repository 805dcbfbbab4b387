# qos/* and auth/revoker end to end (tests/e2e/qos.sh): the breaker through mock-backend's
# scripted faults, the rate limits measured over seconds, the cache, a revoked token.
gw_e2e_test(e2e_qos qos.sh)
