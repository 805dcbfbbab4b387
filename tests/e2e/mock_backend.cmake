# mock-backend end-to-end test: the real binary on an ephemeral port, driven with curl.
gw_e2e_test(e2e_mock_backend mock_backend.sh)
