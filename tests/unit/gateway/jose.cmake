# jose.cmake - unit tests of the JOSE layer (gateway/jose.cmake).
gw_unit_test(test_gw_jws_vectors SOURCES test_gw_jws_vectors.c LIBS gw_jose)
