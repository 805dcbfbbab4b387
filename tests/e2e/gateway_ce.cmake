# gateway_ce.cmake - replays KrakenD CE's integration cases against gateway + mock-backend.
add_executable(gw_ce_runner ${CMAKE_CURRENT_SOURCE_DIR}/gw_ce_runner.c)
set_target_properties(gw_ce_runner PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests/tools)
target_link_libraries(gw_ce_runner PRIVATE PkgConfig::CURL PkgConfig::JANSSON m)
gw_target_warnings(gw_ce_runner)
gw_e2e_test(gateway_ce gateway_ce.sh)
