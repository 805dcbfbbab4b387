# Helpers to register tests. Unit tests carry the label `unit`, end-to-end tests `e2e`.

# gw_unit_test(<name> SOURCES <files...> LIBS <libs...> [SHARED_CASES | NEEDS_SHARED]):
# a cmocka test executable. Tests reading ../shared (tu_shared.h) declare it: SHARED_CASES
# registers <name> (the own cases) and <name>_shared (the others, skipped without the
# material); NEEDS_SHARED registers only <name>, skipped without it.
function(gw_unit_test name)
    cmake_parse_arguments(A "SHARED_CASES;NEEDS_SHARED" "" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${A_SOURCES})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests/bin)
    target_link_libraries(${name} PRIVATE ${A_LIBS} gw_testutil PkgConfig::CMOCKA)
    target_compile_definitions(${name} PRIVATE GW_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
    gw_target_warnings(${name})
    if(A_NEEDS_SHARED)
        add_test(NAME ${name} COMMAND ${name} --shared)
        set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77)
        return()
    endif()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120)
    if(A_SHARED_CASES)
        add_test(NAME ${name}_shared COMMAND ${name} --shared)
        set_tests_properties(${name}_shared PROPERTIES LABELS unit TIMEOUT 120
                                                       SKIP_RETURN_CODE 77)
    endif()
endfunction()

# gw_e2e_test(<name> <script> [args...]): a shell script under tests/e2e run with the built
# programs' directory in BIN_DIR. Scripts start and stop their own processes.
function(gw_e2e_test name script)
    add_test(NAME ${name}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${script} ${ARGN})
    set_tests_properties(${name} PROPERTIES LABELS e2e TIMEOUT 300
        SKIP_RETURN_CODE 77
        ENVIRONMENT "BIN_DIR=${PROJECT_BINARY_DIR}/bin;SRC_DIR=${PROJECT_SOURCE_DIR};SHARED_DIR=${GW_SHARED_DIR};TOOLS_DIR=${PROJECT_BINARY_DIR}/tests/tools")
endfunction()
