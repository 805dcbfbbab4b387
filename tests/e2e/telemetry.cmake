# telemetry/opentelemetry, telemetry/metrics and the log formats end to end
# (tests/e2e/telemetry.sh): Debian's Prometheus scrapes the gateway, otlp_receiver decodes what
# it exports with OTLP's own messages, syslog arrives through a local socket.
add_executable(otlp_receiver ${CMAKE_CURRENT_SOURCE_DIR}/otlp_receiver.c)
set_target_properties(otlp_receiver PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests/tools)
target_link_libraries(otlp_receiver PRIVATE cmn_http gw_otlp_proto PkgConfig::JANSSON
                      PkgConfig::ZLIB Threads::Threads)
gw_target_warnings(otlp_receiver)
gw_e2e_test(e2e_telemetry telemetry.sh)
