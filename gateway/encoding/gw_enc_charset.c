/* gw_enc_charset.c - XML declaration charsets as Go's x/net/html/charset reads them (WHATWG). */
#include "gw_enc_int.h"

#include "cmn_go_json.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

/* WHATWG Encoding Standard labels -> the decoder used. Go's krakend-xml sets
 * mxj.XmlCharsetReader = charset.NewReaderLabel, which resolves labels with this table; an
 * iso-8859-1 or us-ascii document is therefore decoded as windows-1252. */
struct label_group {
    const char *iconv; /* NULL: windows-1252 (ours); "" = UTF-8; "-" = not supported */
    const char *labels;
};

static const struct label_group GROUPS[] = {
    {"", "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
    {"IBM866", "866 cp866 csibm866 ibm866"},
    {"ISO-8859-2",
     "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
    {"ISO-8859-3",
     "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
    {"ISO-8859-4",
     "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
    {"ISO-8859-5", "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 "
                   "iso_8859-5 iso_8859-5:1988"},
    {"ISO-8859-6", "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 "
                   "iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 "
                   "iso_8859-6:1987"},
    {"ISO-8859-7", "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 "
                   "iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek"},
    {"ISO-8859-8", "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 "
                   "iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual csiso88598i "
                   "iso-8859-8-i logical"},
    {"ISO-8859-10", "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
    {"ISO-8859-13", "iso-8859-13 iso8859-13 iso885913"},
    {"ISO-8859-14", "iso-8859-14 iso8859-14 iso885914"},
    {"ISO-8859-15", "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
    {"ISO-8859-16", "iso-8859-16"},
    {"KOI8-R", "cskoi8r koi koi8 koi8-r koi8_r"},
    {"KOI8-U", "koi8-ru koi8-u"},
    {"MACINTOSH", "csmacintosh mac macintosh x-mac-roman"},
    {"WINDOWS-874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"},
    {"CP1250", "cp1250 windows-1250 x-cp1250"},
    {"CP1251", "cp1251 windows-1251 x-cp1251"},
    {NULL, "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 "
           "iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 "
           "x-cp1252"},
    {"CP1253", "cp1253 windows-1253 x-cp1253"},
    {"CP1254", "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
               "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254"},
    {"CP1255", "cp1255 windows-1255 x-cp1255"},
    {"CP1256", "cp1256 windows-1256 x-cp1256"},
    {"CP1257", "cp1257 windows-1257 x-cp1257"},
    {"CP1258", "cp1258 windows-1258 x-cp1258"},
    {"MAC-CYRILLIC", "x-mac-cyrillic x-mac-ukrainian"},
    {"GBK", "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk"},
    {"GB18030", "gb18030"},
    {"BIG5-HKSCS", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"},
    {"EUC-JP", "cseucpkdfmtjapanese euc-jp x-euc-jp"},
    {"ISO-2022-JP", "csiso2022jp iso-2022-jp"},
    {"CP932", "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis"},
    {"CP949", "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
              "ksc5601 ksc_5601 windows-949"},
    /* Known to WHATWG but not decodable here: a document in UTF-16 cannot carry an ASCII
     * declaration, and Go's decoder fails on it before reading one. */
    {"-", "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement "
          "unicodefffe utf-16be csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 "
          "utf-16le x-user-defined"},
};

static bool is_trim(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool in_list(const char *list, const char *label, size_t n)
{
    const char *p = list;

    while (*p) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncasecmp(p, label, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

enum gw_enc_charset gw_enc_charset_lookup(const char *label, size_t n, const char **iconv_name)
{
    *iconv_name = NULL;
    while (n && is_trim(label[0]))
        label++, n--;
    while (n && is_trim(label[n - 1]))
        n--;
    if (n == 0)
        return GW_CS_UNKNOWN;
    for (size_t g = 0; g < sizeof(GROUPS) / sizeof(GROUPS[0]); g++) {
        if (!in_list(GROUPS[g].labels, label, n))
            continue;
        if (!GROUPS[g].iconv)
            return GW_CS_WINDOWS_1252;
        if (GROUPS[g].iconv[0] == '\0')
            return GW_CS_UTF8;
        if (GROUPS[g].iconv[0] == '-')
            return GW_CS_UNKNOWN;
        *iconv_name = GROUPS[g].iconv;
        return GW_CS_ICONV;
    }
    return GW_CS_UNKNOWN;
}

uint32_t gw_enc_cp1252_high(unsigned char c)
{
    /* WHATWG index-windows-1252 for 0x80..0x9F; the five unassigned bytes map to themselves */
    static const uint16_t T[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                   0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                   0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                   0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

    return c >= 0x80 && c <= 0x9F ? T[c - 0x80] : c;
}

bool gw_enc_put_utf8(struct cmn_buf *b, uint32_t cp)
{
    char u[4];

    return cmn_buf_append(b, u, cmn_go_utf8_encode(cp, u)) == CMN_BUF_OK;
}

static bool iconv_all(const char *name, const char *s, size_t n, struct cmn_buf *out)
{
    iconv_t cd = iconv_open("UTF-8", name);
    char chunk[4096];
    bool ok = true;

    if (cd == (iconv_t)-1)
        return false;
    while (n > 0 && ok) {
        char *in = (char *)(uintptr_t)s, *o = chunk;
        size_t in_left = n, out_left = sizeof(chunk);
        size_t r = iconv(cd, &in, &in_left, &o, &out_left);
        int e = errno;

        ok = cmn_buf_append(out, chunk, sizeof(chunk) - out_left) == CMN_BUF_OK;
        s = in;
        n = in_left;
        if (r != (size_t)-1 || !ok)
            continue;
        if (e == E2BIG)
            continue;
        /* EILSEQ / EINVAL: x/text decoders write U+FFFD for the byte and go on */
        ok = gw_enc_put_utf8(out, 0xFFFD);
        s++;
        n--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    return ok;
}

bool gw_enc_transcode(enum gw_enc_charset cs, const char *iconv_name, const char *s, size_t n,
                      struct cmn_buf *out)
{
    switch (cs) {
    case GW_CS_UTF8:
        return cmn_buf_append(out, s, n) == CMN_BUF_OK;
    case GW_CS_WINDOWS_1252:
        for (size_t i = 0; i < n; i++) {
            if (!gw_enc_put_utf8(out, gw_enc_cp1252_high((unsigned char)s[i])))
                return false;
        }
        return true;
    case GW_CS_ICONV:
        return iconv_name && iconv_all(iconv_name, s, n, out);
    case GW_CS_UNKNOWN:
        break;
    }
    return false;
}

size_t gw_enc_space_len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t l;

    if (n == 0)
        return 0;
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (s[0] < 0x80)
        return 0;
    l = cmn_go_utf8_decode(s, n, &cp);
    if (l && (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
              cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000))
        return l;
    return 0;
}

size_t gw_enc_space_len_back(const unsigned char *s, size_t n)
{
    /* white space runes are 1 to 3 bytes long */
    for (size_t l = 1; l <= 3 && l <= n; l++) {
        if (gw_enc_space_len(s + n - l, l) == l)
            return l;
    }
    return 0;
}
