# jose.cmake - unit tests of the JOSE layer (gateway/jose.cmake).
gw_unit_test(test_gw_jws_vectors SOURCES test_gw_jws_vectors.c LIBS gw_jose)
gw_unit_test(test_gw_jwk SOURCES test_gw_jwk.c LIBS gw_jose)
gw_unit_test(test_gw_jwt SOURCES test_gw_jwt.c LIBS gw_jose)
gw_unit_test(test_gw_jwt_attacks SOURCES test_gw_jwt_attacks.c LIBS gw_jose)
gw_unit_test(test_gw_jose_config SOURCES test_gw_jose_config.c LIBS gw_jose)
gw_unit_test(test_gw_jwt_cache SOURCES test_gw_jwt_cache.c LIBS gw_jose)
# Tokens minted by the openssl command line at test time (independent implementation).
find_program(GW_OPENSSL openssl)
if(GW_OPENSSL)
    gw_unit_test(test_gw_jwt_openssl SOURCES test_gw_jwt_openssl.c LIBS gw_jose)
endif()
gw_unit_test(test_gw_jose_json SOURCES test_gw_jose_json.c LIBS gw_jose)
