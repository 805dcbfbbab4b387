# Third-party libraries, all from Debian's -dev packages, found through pkg-config.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd>=0.9.75)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl>=7.88)
pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls>=3.7)
pkg_check_modules(NETTLE REQUIRED IMPORTED_TARGET nettle>=3.8 hogweed>=3.8)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson>=2.14)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib>=1.2.13)
# Go's regexp (common/go/regexp) runs on PCRE2 10.42 (Debian 12's libpcre2-dev).
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8>=10.40)
# XML and feeds (gateway/encoding) are parsed by libxml2; libyaml only reads back, in the unit
# tests, the YAML we print (its emitter cannot print goccy/go-yaml's bytes: docs/encodings.md).
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0>=2.9)
# Lua for modifier/lua-*: LuaJIT (libluajit-5.1-dev), a Lua 5.1 like KrakenD's gopher-lua.
pkg_check_modules(LUAJIT REQUIRED IMPORTED_TARGET luajit>=2.1)
if(BUILD_TESTING)
    pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
    pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka>=1.1)
endif()

# libcurl comes from libcurl4-gnutls-dev (scripts/install-deps): one TLS library in the
# process, and the one whose certificate and pinning behaviour the tests check.
