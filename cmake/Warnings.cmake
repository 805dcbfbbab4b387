# Compiler warnings for every target of the project (STYLE.md, after curl's PickyWarnings).
set(GW_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
    -Wmissing-prototypes -Wcast-qual -Wwrite-strings)
if(GW_WERROR)
    list(APPEND GW_WARNING_FLAGS -Werror)
endif()

# gw_target_warnings(<target>): apply the project warning set to a target.
function(gw_target_warnings target)
    target_compile_options(${target} PRIVATE ${GW_WARNING_FLAGS})
endfunction()
