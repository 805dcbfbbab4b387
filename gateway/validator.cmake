# validator.cmake - auth/validator on the request path: the gw_auth provider that ties the JOSE
# layer (gw_jose) and the shared JWKS registry (gw_jwks) to the runtime (gw_runtime).
add_library(gw_validator STATIC gw_validator.c)
target_include_directories(gw_validator PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(gw_validator PUBLIC gw_jose gw_jwks gw_runtime cmn Threads::Threads)
gw_target_warnings(gw_validator)
list(APPEND GW_CORE_PARTS gw_validator)
