# gateway_cli.cmake - the gateway's CLI against KrakenD's behaviour and the real-world configs.
gw_e2e_test(gateway_cli gateway_cli.sh)
