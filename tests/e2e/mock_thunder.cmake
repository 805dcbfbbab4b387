# mock-thunder end-to-end tests (HTTPS, curl, openssl); see tests/e2e/mock_thunder_*.sh.
foreach(t guide api state)
    gw_e2e_test(e2e_mock_thunder_${t} mock_thunder_${t}.sh)
endforeach()
