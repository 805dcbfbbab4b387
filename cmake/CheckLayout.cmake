# CheckLayout.cmake - holds every module to what it declared (cmake/Modules.cmake):
#   - a file includes "x.h" only from its own folder or from a module its module declares
#     in DEPS (not one it merely reaches through another module);
#   - a file includes a known external library's header only when its module declares the
#     library in LIBS;
#   - a header name belongs to one module only, and every .c file of a module's folder is
#     built by some module or program.
# Runs at configure time (included by gw_layout_check) and as the `layout` test:
#   cmake -DLAYOUT=<build>/layout.cmake -P cmake/CheckLayout.cmake

cmake_minimum_required(VERSION 3.25) # also in script mode (-P): IN_LIST, list(POP_FRONT)

if(NOT LAYOUT)
    message(FATAL_ERROR "CheckLayout: -DLAYOUT=<build>/layout.cmake is required")
endif()
include(${LAYOUT})

# External headers and the target a module must declare to include them.
set(_ext_headers
    "curl/" "PkgConfig::CURL"
    "microhttpd.h" "PkgConfig::MHD"
    "gnutls/" "PkgConfig::GNUTLS"
    "nettle/" "PkgConfig::NETTLE"
    "jansson.h" "PkgConfig::JANSSON"
    "zlib.h" "PkgConfig::ZLIB"
    "pthread.h" "Threads::Threads"
    "pcre2.h" "PkgConfig::PCRE2"
    "libxml/" "PkgConfig::LIBXML2"
    "yaml.h" "PkgConfig::YAML"
    "luajit.h" "PkgConfig::LUAJIT"
    "lua.h" "PkgConfig::LUAJIT"
    "lauxlib.h" "PkgConfig::LUAJIT"
    "lualib.h" "PkgConfig::LUAJIT"
    "protobuf-c/" "PkgConfig::PROTOBUFC"
    "opentelemetry/proto/" "gw_otlp_proto"
    "gw/otlp/" "gw_otlp_proto")

set(_errors "")
macro(_fail msg)
    string(APPEND _errors "  ${msg}\n")
endmacro()

# header name -> module, from the folders of the library modules
set(_built "")
foreach(m ${GW_MODULES})
    list(APPEND _built ${GW_MODULE_SOURCES_${m}})
    if(NOT GW_MODULE_KIND_${m} STREQUAL "module")
        continue()
    endif()
    file(GLOB _hs LIST_DIRECTORIES false "${GW_MODULE_DIR_${m}}/*.h")
    foreach(h ${_hs})
        get_filename_component(n "${h}" NAME)
        if(DEFINED _owner_${n} AND NOT _owner_${n} STREQUAL m)
            _fail("${n} is a header of both ${_owner_${n}} and ${m}: names must be unique")
        endif()
        set(_owner_${n} ${m})
    endforeach()
endforeach()

foreach(m ${GW_MODULES})
    set(dir "${GW_MODULE_DIR_${m}}")
    set(files ${GW_MODULE_SOURCES_${m}})
    if(GW_MODULE_KIND_${m} STREQUAL "module")
        file(GLOB _hs LIST_DIRECTORIES false "${dir}/*.h")
        list(APPEND files ${_hs})
        file(GLOB _cs LIST_DIRECTORIES false "${dir}/*.c")
        foreach(c ${_cs})
            if(NOT c IN_LIST _built)
                file(RELATIVE_PATH rel "${GW_SOURCE_ROOT}" "${c}")
                _fail("${rel} is in module ${m}'s folder but no module or program builds it")
            endif()
        endforeach()
    endif()
    foreach(f ${files})
        file(RELATIVE_PATH rel "${GW_SOURCE_ROOT}" "${f}")
        get_filename_component(fdir "${f}" DIRECTORY)
        file(STRINGS "${f}" incs REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
        foreach(line ${incs})
            if(line MATCHES "include[ \t]*\"([^\"]+)\"")
                set(h "${CMAKE_MATCH_1}")
                if(EXISTS "${fdir}/${h}")
                    continue() # the file's own folder
                endif()
                if(NOT DEFINED _owner_${h})
                    _fail("${rel}: \"${h}\" is no module's header")
                elseif(NOT _owner_${h} IN_LIST GW_MODULE_DEPS_${m})
                    _fail("${rel}: includes \"${h}\" of ${_owner_${h}}, which ${m} does not declare in DEPS")
                endif()
            elseif(line MATCHES "include[ \t]*<([^>]+)>")
                set(h "${CMAKE_MATCH_1}")
                set(_pairs ${_ext_headers})
                while(_pairs)
                    list(POP_FRONT _pairs prefix lib)
                    string(FIND "${h}" "${prefix}" at)
                    if(at EQUAL 0 AND NOT lib IN_LIST GW_MODULE_LIBS_${m})
                        _fail("${rel}: includes <${h}>, which ${m} does not declare in LIBS (${lib})")
                    endif()
                endwhile()
            endif()
        endforeach()
    endforeach()
endforeach()

if(_errors)
    message(FATAL_ERROR "Layout check failed (declare the dependency in the folder's "
                        "CMakeLists.txt, or move the code; docs/architecture.md):\n${_errors}")
endif()
