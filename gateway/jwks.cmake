# jwks.cmake - the JWKS source registry and fetcher: one shared, background-refreshed key set
# per distinct jwk_url (or jwk_local_path), fetched with libcurl on its own thread.
add_library(gw_jwks STATIC
    gw_jwks_cache.c
    gw_jwks_fetch.c
    gw_jwks_fetcher.c)
target_include_directories(gw_jwks PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(gw_jwks PUBLIC gw_jose cmn PkgConfig::CURL PkgConfig::GNUTLS
                      Threads::Threads)
gw_target_warnings(gw_jwks)
list(APPEND GW_CORE_PARTS gw_jwks)
