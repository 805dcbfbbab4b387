# -DGW_SANITIZE=address,undefined instruments everything, tests included.
if(GW_SANITIZE)
    set(_san "-fsanitize=${GW_SANITIZE}")
    add_compile_options(${_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(${_san})
endif()

# -DGW_FUZZ=ON (clang only) builds libFuzzer targets under tests/fuzz.
if(GW_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "GW_FUZZ needs clang (CC=clang)")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
