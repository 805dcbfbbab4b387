# layout_selftest.cmake - the layout check (cmake/CheckLayout.cmake) on a two-module tree made
# here: it must refuse an include of an undeclared module, an undeclared external library and
# a .c file nothing builds, and accept the same tree once everything is declared.
#   cmake -DCHECK=<src>/cmake/CheckLayout.cmake -DWORK=<dir> -P layout_selftest.cmake
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/a" "${WORK}/b")
file(WRITE "${WORK}/b/b.h" "int b(void);\n")
file(WRITE "${WORK}/b/b.c" "#include \"b.h\"\nint b(void) { return 1; }\n")
file(WRITE "${WORK}/a/a.c" "#include \"b.h\"\n#include <curl/curl.h>\nint a(void) { return b(); }\n")
file(WRITE "${WORK}/a/stray.c" "int stray;\n")

function(run deps libs a_sources expect_ok expect_text)
    file(WRITE "${WORK}/layout.cmake"
         "set(GW_SOURCE_ROOT \"${WORK}\")\nset(GW_MODULES \"a;b\")\n"
         "set(GW_MODULE_KIND_a module)\nset(GW_MODULE_DIR_a \"${WORK}/a\")\n"
         "set(GW_MODULE_DEPS_a \"${deps}\")\nset(GW_MODULE_LIBS_a \"${libs}\")\n"
         "set(GW_MODULE_SOURCES_a \"${a_sources}\")\n"
         "set(GW_MODULE_KIND_b module)\nset(GW_MODULE_DIR_b \"${WORK}/b\")\n"
         "set(GW_MODULE_DEPS_b \"\")\nset(GW_MODULE_LIBS_b \"\")\n"
         "set(GW_MODULE_SOURCES_b \"${WORK}/b/b.c\")\n")
    execute_process(COMMAND ${CMAKE_COMMAND} -DLAYOUT=${WORK}/layout.cmake -P ${CHECK}
                    RESULT_VARIABLE rc ERROR_VARIABLE out OUTPUT_VARIABLE out2)
    if(expect_ok AND NOT rc EQUAL 0)
        message(FATAL_ERROR "a declared tree was refused:\n${out}")
    endif()
    if(NOT expect_ok)
        if(rc EQUAL 0)
            message(FATAL_ERROR "an undeclared dependency was accepted (${expect_text})")
        endif()
        string(FIND "${out}" "${expect_text}" at)
        if(at EQUAL -1)
            message(FATAL_ERROR "expected \"${expect_text}\" in:\n${out}")
        endif()
    endif()
endfunction()

set(all "${WORK}/a/a.c;${WORK}/a/stray.c")
run("" "PkgConfig::CURL" "${all}" FALSE "includes \"b.h\" of b, which a does not declare in DEPS")
run("b" "" "${all}" FALSE "includes <curl/curl.h>, which a does not declare in LIBS")
run("b" "PkgConfig::CURL" "${WORK}/a/a.c" FALSE "a/stray.c is in module a's folder")
run("b" "PkgConfig::CURL" "${all}" TRUE "")
file(REMOVE_RECURSE "${WORK}")
