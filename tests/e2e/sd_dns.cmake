# Lura's sd "dns": backend hosts from SRV records, refreshed (tests/e2e/sd_dns.sh).
gw_e2e_test(e2e_sd_dns sd_dns.sh)
