# flexconfig.cmake - `run` serving a template project; the misspelt-validator regression at run time.
gw_e2e_test(flexconfig flexconfig.sh)
