# tls.cmake - the service `tls` block: the key pair the gateway serves HTTPS with.
add_library(gw_tls STATIC gw_tls.c)
target_include_directories(gw_tls PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(gw_tls PUBLIC cmn)
gw_target_warnings(gw_tls)
list(APPEND GW_CORE_PARTS gw_tls)
# The server reads the key pair at start (included after runtime.cmake, so gw_runtime exists).
target_link_libraries(gw_runtime PUBLIC gw_tls)
