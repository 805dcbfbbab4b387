# jwks.cmake - unit tests of the JWKS cache (gateway/jwks.cmake): loopback HTTP and HTTPS
# servers in-process, short intervals.
gw_unit_test(test_gw_jwks_cache SOURCES test_gw_jwks_cache.c test_gw_jwks_util.c
             LIBS gw_jwks cmn PkgConfig::GNUTLS)
gw_unit_test(test_gw_jwks_tls SOURCES test_gw_jwks_tls.c test_gw_jwks_util.c
             LIBS gw_jwks cmn PkgConfig::GNUTLS)
