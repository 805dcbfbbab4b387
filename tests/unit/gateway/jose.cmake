# jose.cmake - unit tests of the JOSE layer (gateway/jose.cmake).
gw_unit_test(test_gw_jws_vectors SOURCES test_gw_jws_vectors.c LIBS gw_jose)
gw_unit_test(test_gw_jwk SOURCES test_gw_jwk.c LIBS gw_jose)
gw_unit_test(test_gw_jwt SOURCES test_gw_jwt.c LIBS gw_jose)
gw_unit_test(test_gw_jwt_attacks SOURCES test_gw_jwt_attacks.c LIBS gw_jose)
gw_unit_test(test_gw_jose_config SOURCES test_gw_jose_config.c LIBS gw_jose)
gw_unit_test(test_gw_jwt_cache SOURCES test_gw_jwt_cache.c LIBS gw_jose)
