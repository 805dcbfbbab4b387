# jose.cmake - the JOSE layer: JWK/JWKS parsing, JWS verification (nettle/hogweed), JWT claims,
# validator configuration and the verified-token cache. Pure logic: no sockets, no clock reads.
add_library(gw_jose STATIC
    gw_jose.c
    gw_jose_json.c
    gw_jwk.c
    gw_jws.c
    gw_claims.c
    gw_validator_config.c
    gw_jwt.c
    gw_jwt_cache.c)
target_include_directories(gw_jose PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
# hogweed's headers use GMP's mpz_t; we link it directly because we set key numbers with it.
find_library(GW_GMP_LIB gmp REQUIRED)
target_link_libraries(gw_jose PUBLIC cmn PkgConfig::NETTLE PkgConfig::GNUTLS PkgConfig::JANSSON
                      ${GW_GMP_LIB} m Threads::Threads)
gw_target_warnings(gw_jose)
list(APPEND GW_CORE_PARTS gw_jose)
