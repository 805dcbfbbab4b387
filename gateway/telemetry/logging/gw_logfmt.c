/* gw_logfmt.c - go-logging's pattern engine (verbs, Go printf modifiers, colours), the
 * telemetry/logging options and Go's log/syslog framing. */
#include "gw_logfmt.h"

#include "cmn_go_json.h"
#include "cmn_go_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const LEVELS[] = {"CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"};
/* go-logging's colours; INFO has none (an empty string) */
static const char *const COLORS[] = {"\033[35m", "\033[31m", "\033[33m",
                                     "\033[32m", "",         "\033[36m"};
static const char *const BOLD[] = {"\033[35;1m", "\033[31;1m", "\033[33;1m",
                                   "\033[32;1m", "",           "\033[36;1m"};

const char *gw_log_level_name(enum gw_log_level l)
{
    return (unsigned)l < 6 ? LEVELS[l] : "";
}

bool gw_log_level_parse(const char *s, enum gw_log_level *out)
{
    for (int i = 0; s && i < 6; i++) {
        if (strcasecmp(s, LEVELS[i]) == 0) {
            *out = (enum gw_log_level)i;
            return true;
        }
    }
    return false;
}

enum verb {
    V_TIME,
    V_LEVEL,
    V_ID,
    V_PID,
    V_PROGRAM,
    V_MODULE,
    V_MESSAGE,
    V_LONGFILE,
    V_SHORTFILE,
    V_LONGPKG,
    V_SHORTPKG,
    V_LONGFUNC,
    V_SHORTFUNC,
    V_CALLPATH,
    V_COLOR,
    V_STATIC,
};

static const char *const VERBS[] = {"time",     "level",    "id",        "pid",       "program",
                                    "module",   "message",  "longfile",  "shortfile", "longpkg",
                                    "shortpkg", "longfunc", "shortfunc", "callpath",  "color"};
static const char *const DEFAULT_LAYOUT[] = {"2006-01-02T15:04:05.999Z07:00",
                                             "s",
                                             "d",
                                             "d",
                                             "s",
                                             "s",
                                             "s",
                                             "s",
                                             "s",
                                             "s",
                                             "s",
                                             "s",
                                             "s",
                                             "0",
                                             ""};

struct part {
    enum verb verb;
    char *layout; /* literal text, time layout, colour mode, or a Go format ("%s") */
};

struct gw_logfmt {
    struct part *parts;
    size_t n;
};

void gw_logfmt_free(struct gw_logfmt *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->parts[i].layout);
    free(f->parts);
    free(f);
}

static bool add(struct gw_logfmt *f, enum verb v, const char *s, size_t n, bool percent)
{
    struct part *np = realloc(f->parts, (f->n + 1) * sizeof(*np));
    char *l = malloc(n + 2);

    if (!np || !l) {
        if (np)
            f->parts = np;
        free(l);
        return false;
    }
    f->parts = np;
    if (percent)
        l[0] = '%';
    memcpy(l + percent, s, n);
    l[n + percent] = '\0';
    f->parts[f->n].verb = v;
    f->parts[f->n++].layout = l;
    return true;
}

/* One `%{name[:layout]}` at p, as go-logging's regexp %{([a-z]+)(?::(.*?[^\\]))?} matches it:
 * the layout is the shortest run (no newline) whose last character is not a backslash before
 * a '}'. Returns the match length, 0 when there is none here. */
static size_t match(const char *p, size_t *name_len, const char **lay, size_t *lay_len)
{
    size_t i = 2, j;

    if (p[0] != '%' || p[1] != '{')
        return 0;
    while (p[i] >= 'a' && p[i] <= 'z')
        i++;
    if (i == 2)
        return 0;
    *name_len = i - 2;
    *lay = NULL;
    *lay_len = 0;
    if (p[i] == ':') {
        for (j = i + 2; p[j - 1] && p[j - 1] != '\n'; j++) {
            if (p[j] == '}' && p[j - 1] != '\\') {
                *lay = p + i + 1;
                *lay_len = j - i - 1;
                return j + 1;
            }
            if (!p[j])
                break;
        }
    }
    return p[i] == '}' ? i + 1 : 0;
}

struct gw_logfmt *gw_logfmt_compile(const char *pattern, struct cmn_err *err)
{
    struct gw_logfmt *f = calloc(1, sizeof(*f));
    const char *p = pattern, *prev = pattern;
    bool any = false;

    if (!f)
        goto nomem;
    while (*p) {
        const char *lay = NULL;
        size_t nl = 0, ll = 0, m = match(p, &nl, &lay, &ll);
        int v = -1;

        if (!m) {
            p++;
            continue;
        }
        for (int i = 0; i < V_STATIC; i++)
            if (strlen(VERBS[i]) == nl && strncmp(VERBS[i], p + 2, nl) == 0)
                v = i;
        if (v < 0) {
            cmn_err_set(err, 1, "logger: unknown variable: %.*s", (int)nl, p + 2);
            gw_logfmt_free(f);
            return NULL;
        }
        if (p > prev && !add(f, V_STATIC, prev, (size_t)(p - prev), false))
            goto nomem;
        if (!lay) {
            lay = DEFAULT_LAYOUT[v];
            ll = strlen(lay);
        }
        if (!add(f, (enum verb)v, lay, ll, v != V_TIME && v != V_COLOR && v != V_CALLPATH))
            goto nomem;
        any = true;
        p += m;
        prev = p;
    }
    if (!any) {
        cmn_err_set(err, 1, "logger: invalid log format: %s", pattern);
        gw_logfmt_free(f);
        return NULL;
    }
    if (*prev && !add(f, V_STATIC, prev, strlen(prev), false))
        goto nomem;
    return f;
nomem:
    cmn_err_set(err, 2, "logger: out of memory");
    gw_logfmt_free(f);
    return NULL;
}

/* ---- a small Go fmt: one operand, flags -+#0 and space, width, precision ---- */

enum kind { K_STR, K_INT, K_LEVEL };

struct operand {
    enum kind k;
    const char *s;
    size_t n;
    long long i;
    const char *tname; /* Go type in "%!z(type=value)" */
};

static size_t runes(const char *s, size_t n)
{
    size_t r = 0;

    for (size_t i = 0; i < n; i++)
        r += ((unsigned char)s[i] & 0xc0) != 0x80;
    return r;
}

/* Byte length of the first k runes of s. */
static size_t rune_prefix(const char *s, size_t n, size_t k)
{
    size_t i = 0;

    while (i < n && k) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
        k--;
    }
    return i;
}

static void padded(struct cmn_buf *o, const char *s, size_t n, long width, bool minus, bool zero)
{
    long pad = width - (long)runes(s, n);

    if (!minus)
        for (long i = 0; i < pad; i++)
            cmn_buf_append(o, zero ? "0" : " ", 1);
    cmn_buf_append(o, s, n);
    if (minus)
        for (long i = 0; i < pad; i++)
            cmn_buf_append(o, " ", 1);
}

static void hexstr(struct cmn_buf *o, const char *s, size_t n, bool upper)
{
    const char *h = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        char x[2] = {h[(unsigned char)s[i] >> 4], h[(unsigned char)s[i] & 15]};
        cmn_buf_append(o, x, 2);
    }
}

static void gofmt(struct cmn_buf *o, const char *fmt, const struct operand *v)
{
    bool used = false;

    for (const char *p = fmt; *p; p++) {
        bool minus = false, plus = false, zero = false, sharp = false, space = false;
        long width = -1, prec = -1;
        char verb;
        struct cmn_buf t;

        if (*p != '%') {
            cmn_buf_append(o, p, 1);
            continue;
        }
        p++;
        for (;; p++) {
            if (*p == '-')
                minus = true;
            else if (*p == '+')
                plus = true;
            else if (*p == '0')
                zero = true;
            else if (*p == '#')
                sharp = true;
            else if (*p == ' ')
                space = true;
            else
                break;
        }
        while (*p >= '0' && *p <= '9')
            width = (width < 0 ? 0 : width * 10) + (*p++ - '0');
        if (*p == '.') {
            prec = 0;
            p++;
            while (*p >= '0' && *p <= '9')
                prec = prec * 10 + (*p++ - '0');
        }
        verb = *p;
        if (!verb) {
            cmn_buf_append_str(o, "%!(NOVERB)");
            break;
        }
        if (verb == '%') {
            cmn_buf_append(o, "%", 1);
            continue;
        }
        if (used) {
            cmn_buf_printf(o, "%%!%c(MISSING)", verb);
            continue;
        }
        used = true;
        cmn_buf_init(&t, 1 << 20);
        if (v->k != K_INT &&
            (verb == 's' || verb == 'v' || verb == 'q' || verb == 'x' || verb == 'X')) {
            /* a string, or a Level through its String method */
            size_t n = prec >= 0 ? rune_prefix(v->s, v->n, (size_t)prec) : v->n;
            if (verb == 'q')
                cmn_go_quote(&t, v->s, n);
            else if (verb == 'x' || verb == 'X')
                hexstr(&t, v->s, n, verb == 'X');
            else
                cmn_buf_append(&t, v->s, n);
            padded(o, cmn_buf_str(&t), t.len, width, minus, zero);
        } else if ((v->k != K_STR) && (verb == 'd' || verb == 'v' || verb == 'x' || verb == 'X')) {
            if (verb == 'x')
                cmn_buf_printf(&t, sharp ? "%#llx" : "%llx", (unsigned long long)v->i);
            else if (verb == 'X')
                cmn_buf_printf(&t, sharp ? "%#llX" : "%llX", (unsigned long long)v->i);
            else if (plus)
                cmn_buf_printf(&t, "%+lld", v->i);
            else if (space)
                cmn_buf_printf(&t, "% lld", v->i);
            else
                cmn_buf_printf(&t, "%lld", v->i);
            if (zero && !minus && width > (long)t.len && (t.data[0] == '-' || t.data[0] == '+')) {
                cmn_buf_append(o, t.data, 1);
                padded(o, t.data + 1, t.len - 1, width - 1, false, true);
            } else {
                padded(o, cmn_buf_str(&t), t.len, width, minus, zero);
            }
        } else {
            /* Go's bad verb: %!z(type=value) */
            if (v->k == K_INT)
                cmn_buf_printf(o, "%%!%c(%s=%lld)", verb, v->tname, v->i);
            else
                cmn_buf_printf(o, "%%!%c(%s=%.*s)", verb, v->tname, (int)v->n, v->s);
        }
        cmn_buf_free(&t);
    }
    if (!used) {
        if (v->k == K_INT)
            cmn_buf_printf(o, "%%!(EXTRA %s=%lld)", v->tname, v->i);
        else
            cmn_buf_printf(o, "%%!(EXTRA %s=%.*s)", v->tname, (int)v->n, v->s);
    }
}

/* "pkg/path.Type.Func" -> the parts go-logging's formatFuncName gives. */
static void func_part(const char *f, enum verb v, char *out, size_t cap)
{
    const char *slash, *dot, *fun;

    snprintf(out, cap, "???");
    if (!f)
        return;
    slash = strrchr(f, '/');
    slash = slash ? slash + 1 : f;
    dot = strchr(slash, '.');
    if (!dot || dot == slash)
        return;
    fun = dot + 1;
    if (v == V_LONGPKG) {
        snprintf(out, cap, "%.*s", (int)(dot - f), f);
    } else if (v == V_SHORTPKG) {
        snprintf(out, cap, "%.*s", (int)(dot - slash), slash);
    } else if (v == V_LONGFUNC) {
        snprintf(out, cap, "%s", fun);
    } else {
        const char *last = strrchr(fun, '.');
        snprintf(out, cap, "%s", last ? last + 1 : fun);
    }
}

/* Renders into o (a scratch buffer whose cap bounds one line). */
static void render(const struct gw_logfmt *f, const struct gw_log_record *r, struct cmn_buf *out)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct part *p = &f->parts[i];
        struct operand v = {K_STR, "", 0, 0, "string"};
        char buf[1024];
        unsigned lv = (unsigned)r->level < 6 ? (unsigned)r->level : 0;

        switch (p->verb) {
        case V_STATIC:
            cmn_buf_append_str(out, p->layout);
            continue;
        case V_TIME:
            gw_log_time_format(p->layout, r->unix_ns, r->utc_offset_s, r->zone, out);
            continue;
        case V_COLOR:
            cmn_buf_append_str(out, strcmp(p->layout, "bold") == 0    ? BOLD[lv]
                                    : strcmp(p->layout, "reset") == 0 ? "\033[0m"
                                                                      : COLORS[lv]);
            continue;
        case V_CALLPATH:
            /* Go's call path has no C counterpart: the caller's function name stands in */
            func_part(r->func, V_SHORTFUNC, buf, sizeof(buf));
            cmn_buf_append_str(out, buf);
            continue;
        case V_LEVEL:
            v.k = K_LEVEL;
            v.s = LEVELS[lv];
            v.n = strlen(v.s);
            v.i = lv;
            v.tname = "logging.Level";
            break;
        case V_ID:
            v.k = K_INT;
            v.i = (long long)r->id;
            v.tname = "uint64";
            break;
        case V_PID:
            v.k = K_INT;
            v.i = r->pid;
            v.tname = "int";
            break;
        case V_PROGRAM:
            v.s = r->program ? r->program : "";
            v.n = strlen(v.s);
            break;
        case V_MODULE:
            v.s = r->module ? r->module : "";
            v.n = strlen(v.s);
            break;
        case V_MESSAGE:
            v.s = r->message ? r->message : "";
            v.n = r->message ? r->message_len : 0;
            break;
        case V_LONGFILE:
        case V_SHORTFILE: {
            const char *file = r->file ? r->file : "???";
            const char *base = strrchr(file, '/');
            if (p->verb == V_SHORTFILE && base)
                file = base + 1;
            snprintf(buf, sizeof(buf), "%s:%d", file, r->file ? r->line : 0);
            v.s = buf;
            v.n = strlen(buf);
            break;
        }
        default:
            func_part(r->func, p->verb, buf, sizeof(buf));
            v.s = buf;
            v.n = strlen(buf);
            break;
        }
        gofmt(out, p->layout, &v);
    }
}

bool gw_logfmt_format(const struct gw_logfmt *f, const struct gw_log_record *r, struct cmn_buf *out)
{
    struct cmn_buf line;
    bool ok;

    /* one line is at most 1 MiB (longer messages are cut); the append to out is checked */
    cmn_buf_init(&line, 1 << 20);
    render(f, r, &line);
    ok = cmn_buf_append(out, cmn_buf_str(&line), line.len) == CMN_BUF_OK;
    cmn_buf_free(&line);
    return ok;
}

bool gw_logfmt_line(const struct gw_logfmt *f, const char *prefix, const struct gw_log_record *r,
                    struct cmn_buf *out)
{
    if (prefix && cmn_buf_append_str(out, prefix) != CMN_BUF_OK)
        return false;
    if (!gw_logfmt_format(f, r, out))
        return false;
    if (out->len == 0 || out->data[out->len - 1] != '\n')
        return cmn_buf_append(out, "\n", 1) == CMN_BUF_OK;
    return true;
}

bool gw_log_time_format(const char *layout, int64_t unix_ns, int utc_offset_s, const char *zone,
                        struct cmn_buf *out)
{
    /* time.Unix(0, ns): the remainder's sign carries into the seconds there */
    struct cmn_go_time t =
        cmn_go_time_unix(unix_ns / 1000000000LL, unix_ns % 1000000000LL, utc_offset_s, zone);

    return cmn_go_time_format(&t, layout, out);
}
