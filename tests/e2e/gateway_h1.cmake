# gateway_h1.cmake - the gateway's own HTTP/1.1 backend client as a user sees it, against a
# backend that frames its answers on purpose (h1_backend) and mock-backend.
add_executable(h1_backend ${CMAKE_CURRENT_SOURCE_DIR}/h1_backend.c)
set_target_properties(h1_backend PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests/tools)
target_link_libraries(h1_backend PRIVATE PkgConfig::ZLIB Threads::Threads)
gw_target_warnings(h1_backend)
gw_e2e_test(gateway_h1 gateway_h1.sh)
