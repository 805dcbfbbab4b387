# Runtime tests: Go JSON, router, request building, response processing/rendering, server.
foreach(t gojson router proxy_request proxy_response)
    if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_gw_${t}.c)
        gw_unit_test(test_gw_${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gw_${t}.c LIBS gw_runtime)
    endif()
endforeach()
