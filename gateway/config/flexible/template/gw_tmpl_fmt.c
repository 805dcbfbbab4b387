/* gw_tmpl_fmt.c - Go's fmt for template values: %v printing of float64 (shortest digits, e-form
 * from 1e+06), ints, strings, bools, lists and maps; Sprint/Sprintln spacing; Sprintf with the
 * verbs v s d q t f F e E g G x X o O b c U T, flags, widths, precisions, argument indexes and
 * Go's %!verb(type=value) error forms (the strconv parts are in gw_tmpl_strconv.c). */
#include "gw_tmpl_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pfmt {
    bool plus, minus, sharp, space, zero;
    bool wid_present, prec_present;
    bool plus_v, sharp_v;
    int wid, prec;
};

struct pp {
    struct texec *x;
    struct cmn_buf *out;
    struct pfmt f;
    bool ok;
    int depth;
};

static void w(struct pp *p, const char *s, size_t n)
{
    if (p->ok && cmn_buf_append(p->out, s, n) != CMN_BUF_OK)
        p->ok = false;
}

static void ws(struct pp *p, const char *s)
{
    w(p, s, strlen(s));
}

static void wc(struct pp *p, char c)
{
    w(p, &c, 1);
}

/* ---- padding ---- */

static void pad(struct pp *p, size_t runes)
{
    char c = p->f.zero ? '0' : ' ';

    if (!p->f.wid_present || (size_t)p->f.wid <= runes)
        return;
    for (size_t i = runes; i < (size_t)p->f.wid; i++)
        wc(p, c);
}

/* Writes s padded to the width (rune count), left- or right-justified. */
static void pad_string(struct pp *p, const char *s, size_t n)
{
    size_t runes = p->f.wid_present ? tutf8_count(s, n) : 0;

    if (!p->f.minus)
        pad(p, runes);
    w(p, s, n);
    if (p->f.minus) {
        bool z = p->f.zero;
        p->f.zero = false;
        pad(p, runes);
        p->f.zero = z;
    }
}

/* ---- scalars ---- */

static void fmt_integer(struct pp *p, int64_t v, unsigned base, char verb, const char *digits)
{
    char buf[200];
    size_t k = sizeof(buf);
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int prec = -1;
    bool zero_pad = false;

    if (p->f.prec_present) {
        prec = p->f.prec > 150 ? 150 : p->f.prec;
        if (prec == 0 && v == 0) {
            bool z = p->f.zero;
            p->f.zero = false;
            pad(p, 0);
            p->f.zero = z;
            return;
        }
    } else if (p->f.zero && p->f.wid_present && !p->f.minus) {
        prec = p->f.wid > 150 ? 150 : p->f.wid;
        if (neg || p->f.plus || p->f.space)
            prec--;
        zero_pad = true;
    }
    do {
        buf[--k] = digits[u % base];
        u /= base;
    } while (u && k > 60);
    while (prec >= 0 && (int)(sizeof(buf) - k) < prec && k > 40)
        buf[--k] = '0';
    if (p->f.sharp) {
        if (base == 2) {
            buf[--k] = 'b';
            buf[--k] = '0';
        } else if (base == 8 && buf[k] != '0') {
            buf[--k] = '0';
        } else if (base == 16) {
            buf[--k] = verb == 'X' ? 'X' : 'x';
            buf[--k] = '0';
        }
    }
    if (verb == 'O') {
        buf[--k] = 'o';
        buf[--k] = '0';
    }
    if (neg)
        buf[--k] = '-';
    else if (p->f.plus)
        buf[--k] = '+';
    else if (p->f.space)
        buf[--k] = ' ';
    {
        bool z = p->f.zero;
        if (zero_pad || p->f.prec_present)
            p->f.zero = false;
        pad_string(p, buf + k, sizeof(buf) - k);
        p->f.zero = z;
    }
}

static void fmt_rune_q(struct pp *p, int64_t v)
{
    struct cmn_buf b;
    char enc[4];
    uint32_t r = (v < 0 || v > 0x10FFFF) ? 0xFFFD : (uint32_t)v;
    size_t n = tutf8_encode(r, enc);

    cmn_buf_init(&b, 64);
    tfmt_quote_ex(&b, enc, n, '\'', p->f.plus);
    pad_string(p, cmn_buf_str(&b), b.len);
    cmn_buf_free(&b);
}

static void fmt_float_verb(struct pp *p, double f, char verb)
{
    char buf[400], *s = buf;
    int prec = p->f.prec_present ? p->f.prec : -1;

    if (prec > 300)
        prec = 300;
    switch (verb) {
    case 'v':
        tfmt_float(f, 'g', -1, buf + 1, sizeof(buf) - 1);
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
        tfmt_float(f, verb == 'F' ? 'f' : verb, prec < 0 ? 6 : prec, buf + 1, sizeof(buf) - 1);
        break;
    case 'g':
    case 'G':
        tfmt_float(f, verb, prec, buf + 1, sizeof(buf) - 1);
        break;
    case 'x':
    case 'X': {
        char *e;
        snprintf(buf + 1, sizeof(buf) - 1, verb == 'x' ? "%a" : "%A", f);
        e = strchr(buf + 1, verb == 'x' ? 'p' : 'P');
        if (e && (e[1] == '+' || e[1] == '-') && e[2] && !e[3]) {
            e[4] = '\0';
            e[3] = e[2];
            e[2] = '0';
        }
        break;
    }
    default:
        buf[1] = '\0';
    }
    /* buf[0] is kept for a sign, as Go's fmtFloat reserves it */
    if (buf[1] == '-' || buf[1] == '+') {
        s = buf + 1;
    } else {
        buf[0] = '+';
        s = buf;
    }
    if (p->f.space && s[0] == '+' && !p->f.plus)
        s[0] = ' ';
    if (s[1] == 'I' || s[1] == 'N') {
        bool z = p->f.zero;
        p->f.zero = false;
        if (s[1] == 'N' && !p->f.space && !p->f.plus)
            s++;
        pad_string(p, s, strlen(s));
        p->f.zero = z;
        return;
    }
    if (p->f.plus || s[0] != '+') {
        size_t n = strlen(s);
        if (p->f.zero && !p->f.minus && p->f.wid_present && (size_t)p->f.wid > n) {
            wc(p, s[0]);
            for (size_t k = n; k < (size_t)p->f.wid; k++)
                wc(p, '0');
            w(p, s + 1, n - 1);
            return;
        }
        pad_string(p, s, n);
        return;
    }
    pad_string(p, s + 1, strlen(s + 1));
}

static void fmt_string_verb(struct pp *p, const char *s, size_t n, char verb)
{
    if (p->f.prec_present && verb != 'x' && verb != 'X') {
        /* precision counts runes */
        size_t i = 0;
        for (int r = 0; i < n && r < p->f.prec; r++) {
            uint32_t rr;
            i += tutf8_decode(s + i, n - i, &rr);
        }
        n = i;
    }
    switch (verb) {
    case 'v':
    case 's':
        pad_string(p, s, n);
        return;
    case 'q': {
        struct cmn_buf b;
        cmn_buf_init(&b, p->x->lim->max_output);
        if (p->f.sharp && !memchr(s, '`', n) && tutf8_valid(s, n)) {
            bool can = true;
            for (size_t i = 0; i < n; i++)
                if (((unsigned char)s[i] < ' ' && s[i] != '\t') || s[i] == 0x7F)
                    can = false;
            if (can) {
                (void)cmn_buf_append(&b, "`", 1);
                (void)cmn_buf_append(&b, s, n);
                (void)cmn_buf_append(&b, "`", 1);
            } else {
                tfmt_quote_ex(&b, s, n, '"', p->f.plus);
            }
        } else {
            tfmt_quote_ex(&b, s, n, '"', p->f.plus);
        }
        pad_string(p, cmn_buf_str(&b), b.len);
        cmn_buf_free(&b);
        return;
    }
    case 'x':
    case 'X': {
        const char *hex = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
        struct cmn_buf b;
        size_t len = n;
        if (p->f.prec_present && (size_t)p->f.prec < len)
            len = (size_t)p->f.prec;
        cmn_buf_init(&b, p->x->lim->max_output);
        for (size_t i = 0; i < len; i++) {
            char two[2] = {hex[(unsigned char)s[i] >> 4], hex[(unsigned char)s[i] & 15]};
            if (p->f.space && i > 0)
                (void)cmn_buf_append(&b, " ", 1);
            if (p->f.sharp && (p->f.space || i == 0))
                (void)cmn_buf_append(&b, verb == 'x' ? "0x" : "0X", 2);
            (void)cmn_buf_append(&b, two, 2);
        }
        pad_string(p, cmn_buf_str(&b), b.len);
        cmn_buf_free(&b);
        return;
    }
    }
}

/* ---- values ---- */

static void print_value(struct pp *p, const struct tv *v, char verb, int depth);

static void bad_verb(struct pp *p, const struct tv *v, char verb)
{
    struct pfmt saved = p->f;

    ws(p, "%!");
    wc(p, verb);
    wc(p, '(');
    if (tv_is_nilish(v)) {
        ws(p, "<nil>");
    } else {
        ws(p, tv_type_name(v));
        wc(p, '=');
        memset(&p->f, 0, sizeof(p->f));
        print_value(p, v, 'v', 0);
    }
    wc(p, ')');
    p->f = saved;
}

static void print_list(struct pp *p, const struct tv *v, char verb, int depth)
{
    wc(p, '[');
    for (size_t i = 0; i < v->u.l.n && p->ok; i++) {
        if (i)
            wc(p, ' ');
        print_value(p, v->u.l.v[i], verb, depth + 1);
    }
    wc(p, ']');
}

static void print_map(struct pp *p, const struct tv *v, char verb, int depth)
{
    struct tv key = {.kind = TV_STRING, .type = GT_STRING};

    ws(p, "map[");
    for (size_t i = 0; i < v->u.m->n && p->ok; i++) {
        if (i)
            wc(p, ' ');
        key.u.s.p = v->u.m->m[i].k;
        key.u.s.n = v->u.m->m[i].kn;
        print_value(p, &key, verb, depth + 1);
        wc(p, ':');
        print_value(p, v->u.m->m[i].v, verb, depth + 1);
    }
    wc(p, ']');
}

static void print_value(struct pp *p, const struct tv *v, char verb, int depth)
{
    if (!p->ok)
        return;
    if (depth > p->x->lim->max_value_depth) {
        p->ok = false;
        texec_limitf(p->x, "value nested deeper than %d levels", p->x->lim->max_value_depth);
        return;
    }
    if (verb == 'T') {
        pad_string(p, tv_type_name(v), strlen(tv_type_name(v)));
        return;
    }
    switch (v->kind) {
    case TV_MISSING:
    case TV_NIL:
        if (depth > 0 || verb == 'v')
            pad_string(p, "<nil>", 5);
        else
            bad_verb(p, v, verb);
        return;
    case TV_BOOL:
        if (verb == 't' || verb == 'v')
            pad_string(p, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
        else
            bad_verb(p, v, verb);
        return;
    case TV_INT:
        switch (verb) {
        case 'v':
        case 'd':
            fmt_integer(p, v->u.i, 10, verb, "0123456789");
            return;
        case 'b':
            fmt_integer(p, v->u.i, 2, verb, "01");
            return;
        case 'o':
        case 'O':
            fmt_integer(p, v->u.i, 8, verb, "01234567");
            return;
        case 'x':
            fmt_integer(p, v->u.i, 16, verb, "0123456789abcdef");
            return;
        case 'X':
            fmt_integer(p, v->u.i, 16, verb, "0123456789ABCDEF");
            return;
        case 'c': {
            char enc[4];
            uint32_t r = (v->u.i < 0 || v->u.i > 0x10FFFF) ? 0xFFFD : (uint32_t)v->u.i;
            pad_string(p, enc, tutf8_encode(r, enc));
            return;
        }
        case 'q':
            fmt_rune_q(p, v->u.i);
            return;
        case 'U': {
            char b[40];
            uint64_t u = (uint64_t)v->u.i;
            snprintf(b, sizeof(b), "U+%04llX", (unsigned long long)u);
            pad_string(p, b, strlen(b));
            return;
        }
        default:
            bad_verb(p, v, verb);
            return;
        }
    case TV_FLOAT:
        switch (verb) {
        case 'v':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'x':
        case 'X':
            fmt_float_verb(p, v->u.f, verb);
            return;
        default:
            bad_verb(p, v, verb);
            return;
        }
    case TV_STRING:
        switch (verb) {
        case 'v':
        case 's':
        case 'q':
        case 'x':
        case 'X':
            fmt_string_verb(p, v->u.s.p, v->u.s.n, verb);
            return;
        default:
            bad_verb(p, v, verb);
            return;
        }
    case TV_LIST:
        print_list(p, v, verb, depth);
        return;
    case TV_MAP:
        print_map(p, v, verb, depth);
        return;
    case TV_TIME: {
        /* time.Time is a Stringer: %v and %s print Time.String() (no monotonic reading) */
        struct cmn_buf b;
        static const char L[] = "2006-01-02 15:04:05.999999999 -0700 MST";
        cmn_buf_init(&b, 128);
        if (verb != 'v' && verb != 's' && verb != 'q')
            bad_verb(p, v, verb);
        else if (!tgotime_format(&v->u.t, L, sizeof(L) - 1, &b))
            p->ok = false;
        else if (verb == 'q')
            fmt_string_verb(p, cmn_buf_str(&b), b.len, 'q');
        else
            pad_string(p, cmn_buf_str(&b), b.len);
        cmn_buf_free(&b);
        return;
    }
    }
}

static void pp_init(struct pp *p, struct texec *x, struct cmn_buf *out)
{
    memset(p, 0, sizeof(*p));
    p->x = x;
    p->out = out;
    p->ok = true;
}

static bool pp_done(struct pp *p)
{
    if (!p->ok && !p->x->failed)
        texec_limitf(p->x, "formatted text exceeds %zu bytes", p->out->cap);
    return p->ok;
}

bool tfmt_value(struct texec *x, struct cmn_buf *out, const struct tv *v)
{
    struct pp p;

    pp_init(&p, x, out);
    if (v->kind == TV_MISSING)
        ws(&p, "<no value>");
    else
        print_value(&p, v, 'v', 0);
    return pp_done(&p);
}

bool tfmt_strval(struct texec *x, struct cmn_buf *out, const struct tv *v)
{
    if (v->kind == TV_STRING)
        return cmn_buf_append(out, v->u.s.p, v->u.s.n) == CMN_BUF_OK ||
               (texec_limitf(x, "formatted text exceeds %zu bytes", out->cap), false);
    {
        struct pp p;
        pp_init(&p, x, out);
        print_value(&p, v, 'v', 0);
        return pp_done(&p);
    }
}

bool tfmt_sprint(struct texec *x, struct cmn_buf *out, struct tv **a, size_t n, bool ln)
{
    struct pp p;
    bool prev_string = false;

    pp_init(&p, x, out);
    for (size_t i = 0; i < n && p.ok; i++) {
        bool is_string = a[i]->kind == TV_STRING;
        if (i > 0 && (ln || (!is_string && !prev_string)))
            wc(&p, ' ');
        print_value(&p, a[i], 'v', 0);
        prev_string = is_string;
    }
    if (ln)
        wc(&p, '\n');
    return pp_done(&p);
}

/* ---- Sprintf ---- */

/* Reads a decimal number at f[*i] (Go's parsenum, capped like Go at 1e6). */
static bool parse_num(const char *f, size_t n, size_t *i, int *num)
{
    bool any = false;
    int v = 0;

    while (*i < n && f[*i] >= '0' && f[*i] <= '9') {
        if (v > 1000000)
            return false;
        v = v * 10 + (f[*i] - '0');
        (*i)++;
        any = true;
    }
    *num = v;
    return any;
}

/* Go's argNumber: "[n]" at f[*i]. Returns the index (or the current one). */
static size_t arg_number(const char *f, size_t n, size_t *i, size_t argnum, size_t nargs, bool *ok,
                         bool *found)
{
    *found = false;
    if (*i >= n || f[*i] != '[')
        return argnum;
    for (size_t j = *i + 1; j < n; j++) {
        if (f[j] == ']') {
            size_t k = *i + 1;
            int v;
            *found = true;
            if (!parse_num(f, j, &k, &v) || k != j || v < 1) {
                *ok = false;
                *i = j + 1;
                return argnum;
            }
            *i = j + 1;
            *ok = (size_t)v - 1 < nargs;
            return (size_t)v - 1;
        }
    }
    *ok = false;
    *found = true;
    *i = n;
    return argnum;
}

static bool int_from_arg(struct tv **a, size_t nargs, size_t *argnum, int *num, bool *is_int)
{
    *num = 0;
    *is_int = false;
    if (*argnum < nargs) {
        const struct tv *v = a[*argnum];
        if (v->kind == TV_INT) {
            *is_int = true;
            if (v->u.i > 1000000 || v->u.i < -1000000)
                *is_int = false;
            else
                *num = (int)v->u.i;
        }
        (*argnum)++;
    }
    return *is_int;
}

bool tfmt_sprintf(struct texec *x, struct cmn_buf *out, const char *f, size_t n, struct tv **a,
                  size_t nargs)
{
    struct pp p;
    size_t argnum = 0, i = 0;
    bool reordered = false, good_argnum = true;

    pp_init(&p, x, out);
    while (i < n && p.ok) {
        size_t lasti = i;
        bool after_index = false, found;
        uint32_t verb;
        size_t vw;

        while (i < n && f[i] != '%')
            i++;
        if (i > lasti)
            w(&p, f + lasti, i - lasti);
        if (i >= n)
            break;
        i++;
        memset(&p.f, 0, sizeof(p.f));
        for (; i < n; i++) {
            char c = f[i];
            if (c == '#')
                p.f.sharp = true;
            else if (c == '0')
                p.f.zero = !p.f.minus;
            else if (c == '+')
                p.f.plus = true;
            else if (c == '-') {
                p.f.minus = true;
                p.f.zero = false;
            } else if (c == ' ')
                p.f.space = true;
            else
                break;
        }
        argnum = arg_number(f, n, &i, argnum, nargs, &good_argnum, &found);
        if (found) {
            reordered = true;
            after_index = true;
        }
        if (i < n && f[i] == '*') {
            bool is_int;
            i++;
            p.f.wid_present = int_from_arg(a, nargs, &argnum, &p.f.wid, &is_int);
            if (!is_int)
                ws(&p, "%!(BADWIDTH)");
            if (p.f.wid < 0) {
                p.f.wid = -p.f.wid;
                p.f.minus = true;
                p.f.zero = false;
            }
            after_index = false;
        } else {
            p.f.wid_present = parse_num(f, n, &i, &p.f.wid);
            if (after_index && p.f.wid_present)
                good_argnum = false;
        }
        if (i + 1 <= n && i < n && f[i] == '.') {
            i++;
            if (after_index)
                good_argnum = false;
            argnum = arg_number(f, n, &i, argnum, nargs, &good_argnum, &found);
            if (found) {
                reordered = true;
                after_index = true;
            }
            if (i < n && f[i] == '*') {
                bool is_int;
                i++;
                p.f.prec_present = int_from_arg(a, nargs, &argnum, &p.f.prec, &is_int);
                if (p.f.prec < 0) {
                    p.f.prec = 0;
                    p.f.prec_present = false;
                }
                if (!is_int)
                    ws(&p, "%!(BADPREC)");
                after_index = false;
            } else {
                p.f.prec_present = true;
                (void)parse_num(f, n, &i, &p.f.prec);
            }
        }
        if (!after_index) {
            argnum = arg_number(f, n, &i, argnum, nargs, &good_argnum, &found);
            if (found)
                reordered = true;
        }
        if (i >= n) {
            ws(&p, "%!(NOVERB)");
            break;
        }
        vw = tutf8_decode(f + i, n - i, &verb);
        i += vw;
        if (verb == '%') {
            wc(&p, '%');
            continue;
        }
        if (!good_argnum) {
            ws(&p, "%!");
            w(&p, f + i - vw, vw);
            ws(&p, "(BADINDEX)");
            good_argnum = true;
            continue;
        }
        if (argnum >= nargs) {
            ws(&p, "%!");
            w(&p, f + i - vw, vw);
            ws(&p, "(MISSING)");
            continue;
        }
        if (verb == 'v') {
            if (p.f.sharp) {
                p.f.sharp = false;
                p.f.sharp_v = true;
            }
            if (p.f.plus) {
                p.f.plus = false;
                p.f.plus_v = true;
            }
        }
        if (verb >= 0x80) {
            /* no value has a non-ASCII verb */
            ws(&p, "%!");
            w(&p, f + i - vw, vw);
            wc(&p, '(');
            if (tv_is_nilish(a[argnum])) {
                ws(&p, "<nil>");
            } else {
                ws(&p, tv_type_name(a[argnum]));
                wc(&p, '=');
                memset(&p.f, 0, sizeof(p.f));
                print_value(&p, a[argnum], 'v', 0);
            }
            wc(&p, ')');
        } else if (p.f.sharp_v && a[argnum]->kind == TV_STRING) {
            struct cmn_buf b;
            cmn_buf_init(&b, x->lim->max_output);
            tfmt_quote_ex(&b, a[argnum]->u.s.p, a[argnum]->u.s.n, '"', false);
            pad_string(&p, cmn_buf_str(&b), b.len);
            cmn_buf_free(&b);
        } else {
            print_value(&p, a[argnum], (char)verb, 0);
        }
        argnum++;
    }
    if (!reordered && argnum < nargs && p.ok) {
        memset(&p.f, 0, sizeof(p.f));
        ws(&p, "%!(EXTRA ");
        for (size_t k = argnum; k < nargs; k++) {
            if (k > argnum)
                ws(&p, ", ");
            if (tv_is_nilish(a[k])) {
                ws(&p, "<nil>");
            } else {
                ws(&p, tv_type_name(a[k]));
                wc(&p, '=');
                print_value(&p, a[k], 'v', 0);
            }
        }
        wc(&p, ')');
    }
    return pp_done(&p);
}
