# Runtime tests: Go JSON, router, request building, response processing/rendering, the backend
# client's HTTP/1.1 response parser and transport, server.
foreach(t gojson router proxy_request proxy_response h1_parse h1)
    if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_gw_${t}.c)
        gw_unit_test(test_gw_${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gw_${t}.c LIBS gw_runtime)
    endif()
endforeach()
# The running server with a fake validator behind the auth seam (needs the config parser).
if(TARGET gw_config)
    gw_unit_test(test_gw_server SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gw_server.c
                 LIBS gw_runtime gw_config PkgConfig::CURL Threads::Threads)
endif()
