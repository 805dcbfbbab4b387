# Config layer tests: Go/lura string rules, and the config cases under tests/data/config.
gw_unit_test(test_gw_config_util SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gw_config_util.c
             LIBS gw_config)
gw_unit_test(test_gw_config SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gw_config.c LIBS gw_config)
# The case folders are test data: re-run the test when one changes.
file(GLOB_RECURSE _gw_config_cases CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/data/config/*)
set_property(TEST test_gw_config APPEND PROPERTY LABELS config)
