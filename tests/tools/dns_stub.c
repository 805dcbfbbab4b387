/* dns_stub: a DNS server for the sd "dns" end-to-end test, on UDP 127.0.0.1:<port>. It answers
 * SRV questions from a zone file it reads again for every question, so a test changes the
 * answer by rewriting the file. Lines: "<name> <priority> <weight> <port> <target>" (one per
 * record), "<name> NXDOMAIN", "<name> SERVFAIL", "<name> GARBAGE" (answers bytes that are not
 * DNS). Unknown names get NXDOMAIN. Exits after <lifetime> seconds (default 300).
 *   dns_stub <port> <zone-file> [lifetime] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
    return 2;
}

/* "a.b" -> 1a1b0 at p; returns the length, 0 when it does not fit. */
static size_t put_name(unsigned char *p, size_t room, const char *name)
{
    size_t n = 0;

    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        if (l == 0 || l > 63 || n + l + 2 > room)
            return 0;
        p[n++] = (unsigned char)l;
        memcpy(p + n, name, l);
        n += l;
        name += l + (dot ? 1 : 0);
    }
    p[n++] = 0;
    return n;
}

/* Answers query q (qlen bytes) into a; returns the answer's length (0: no answer). */
static size_t answer(const char *zone, const unsigned char *q, size_t qlen, unsigned char *a,
                     size_t room)
{
    char qname[256], line[512];
    size_t qn = 0, i = 12, n, ancount = 0;
    unsigned rcode = 3; /* NXDOMAIN unless the zone knows the name */
    FILE *f;

    if (qlen < 17)
        return 0;
    while (i < qlen && q[i]) {
        size_t l = q[i++];
        if (l > 63 || i + l > qlen || qn + l + 2 > sizeof(qname))
            return 0;
        if (qn)
            qname[qn++] = '.';
        memcpy(qname + qn, q + i, l);
        qn += l;
        i += l;
    }
    qname[qn] = 0;
    if (i + 5 > qlen)
        return 0;
    i += 5; /* the root label, qtype, qclass */
    if (i > room)
        return 0;
    memcpy(a, q, i); /* header and question */
    n = i;
    if (!(f = fopen(zone, "r")))
        return 0;
    while (fgets(line, sizeof(line), f)) {
        char name[256], kind[256];
        unsigned prio, weight, port;
        int k = sscanf(line, "%255s %u %u %u %255s", name, &prio, &weight, &port, kind);
        if (k < 2 || strcasecmp(name, qname) != 0)
            continue;
        if (k == 5) {
            unsigned char *rr = a + n;
            size_t tl;
            if (n + 12 + 6 + 256 > room)
                break;
            rcode = 0;
            put16(rr, 0xC00C); /* the question's name */
            put16(rr + 2, 33); /* SRV */
            put16(rr + 4, 1);  /* IN */
            memset(rr + 6, 0, 3);
            rr[9] = 5; /* TTL 5 s */
            put16(rr + 12, prio);
            put16(rr + 14, weight);
            put16(rr + 16, port);
            tl = put_name(rr + 18, room - n - 18, strcmp(kind, ".") == 0 ? "" : kind);
            if (!tl)
                break;
            put16(rr + 10, (unsigned)(6 + tl));
            n += 18 + tl;
            ancount++;
            continue;
        }
        sscanf(line, "%255s %255s", name, kind);
        if (strcmp(kind, "SERVFAIL") == 0)
            rcode = 2;
        else if (strcmp(kind, "GARBAGE") == 0) {
            fclose(f);
            memcpy(a, "\x12\x34garbage", 9);
            return 9;
        } else
            rcode = 3;
    }
    fclose(f);
    a[2] = (unsigned char)(0x84 | (q[2] & 0x01)); /* QR, AA, RD as asked */
    a[3] = (unsigned char)(0x80 | rcode);         /* RA */
    put16(a + 6, (unsigned)ancount);
    put16(a + 8, 0);
    put16(a + 10, 0);
    return n;
}

/* A decimal argument within [lo, hi], or -1. */
static long number(const char *s, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 10);

    return *s && !*end && v >= lo && v <= hi ? v : -1;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    long port, lifetime;
    int fd;

    if (argc < 3) {
        fprintf(stderr, "usage: dns_stub <port> <zone-file> [lifetime-seconds]\n");
        return 2;
    }
    port = number(argv[1], 1, 65535);
    lifetime = argc > 3 ? number(argv[3], 1, 86400) : 300;
    if (port < 0 || lifetime < 0) {
        fprintf(stderr, "dns_stub: bad port or lifetime\n");
        return 2;
    }
    alarm((unsigned)lifetime);
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("dns_stub: bind");
        return 1;
    }
    for (;;) {
        unsigned char q[512], a[4096];
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t got = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
        size_t n;
        if (got <= 0)
            continue;
        n = answer(argv[2], q, (size_t)got, a, sizeof(a));
        if (n)
            sendto(fd, a, n, 0, (struct sockaddr *)&from, fl);
    }
}
