# gateway/config.cmake - the configuration layer: krakend.json -> immutable struct gw_config.
add_library(gw_config STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/gw_config.c
    ${CMAKE_CURRENT_SOURCE_DIR}/gw_config_dump.c
    ${CMAKE_CURRENT_SOURCE_DIR}/gw_config_endpoint.c
    ${CMAKE_CURRENT_SOURCE_DIR}/gw_config_ns.c
    ${CMAKE_CURRENT_SOURCE_DIR}/gw_config_util.c
    ${CMAKE_CURRENT_SOURCE_DIR}/gw_config_value.c)
target_include_directories(gw_config PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(gw_config PUBLIC cmn)
gw_target_warnings(gw_config)
list(APPEND GW_CORE_PARTS gw_config)
