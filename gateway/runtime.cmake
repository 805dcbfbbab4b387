# runtime.cmake - the gateway runtime: server glue, router, proxy pipeline, backend client.
add_library(gw_runtime STATIC
    gw_backend.c
    gw_gojson.c
    gw_h1.c
    gw_h1_parse.c
    gw_proxy.c
    gw_proxy_request.c
    gw_proxy_response.c
    gw_render.c
    gw_router.c
    gw_server.c)
target_include_directories(gw_runtime PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(gw_runtime PUBLIC cmn PkgConfig::CURL PkgConfig::JANSSON PkgConfig::ZLIB Threads::Threads)
gw_target_warnings(gw_runtime)
list(APPEND GW_CORE_PARTS gw_runtime)
