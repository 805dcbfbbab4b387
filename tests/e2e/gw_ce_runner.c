/* gw_ce_runner.c - replays KrakenD CE integration cases (krakend-compat.md §7.1) over HTTP. */
#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CASES 512
#define MAX_HDRS 128
#define MAX_BODY (16u * 1024 * 1024)

struct resp {
    long status;
    char *hn[MAX_HDRS], *hv[MAX_HDRS];
    size_t nh;
    char *body;
    size_t len;
};

struct subst {
    const char *from;
    char to[128];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t add = sz * n;
    char *b;

    if (r->len + add > MAX_BODY)
        return 0;
    b = realloc(r->body, r->len + add + 1);
    if (!b)
        return 0;
    memcpy(b + r->len, p, add);
    r->len += add;
    b[r->len] = '\0';
    r->body = b;
    return add;
}

static void resp_clear_headers(struct resp *r)
{
    for (size_t i = 0; i < r->nh; i++) {
        free(r->hn[i]);
        free(r->hv[i]);
    }
    r->nh = 0;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = sz * n, vs;
    const char *c;

    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* only the final response counts */
        resp_clear_headers(r);
        return len;
    }
    c = memchr(p, ':', len);
    if (!c || r->nh == MAX_HDRS)
        return len;
    vs = (size_t)(c - p) + 1;
    while (vs < len && p[vs] == ' ')
        vs++;
    size_t end = len;
    while (end > vs && (p[end - 1] == '\r' || p[end - 1] == '\n'))
        end--;
    r->hn[r->nh] = strndup(p, (size_t)(c - p));
    r->hv[r->nh] = strndup(p + vs, end - vs);
    r->nh++;
    return len;
}

/* Replaces every occurrence of each substitution in s (owned result). */
static char *substitute(const char *s, const struct subst *subs, size_t n)
{
    char *cur = strdup(s);

    for (size_t i = 0; cur && i < n; i++) {
        size_t fl = strlen(subs[i].from), tl = strlen(subs[i].to), count = 0;
        for (const char *p = cur; (p = strstr(p, subs[i].from)); p += fl)
            count++;
        char *out = malloc(strlen(cur) + count * (tl > fl ? tl - fl : 0) + 1);
        if (!out) {
            free(cur);
            return NULL;
        }
        char *w = out;
        const char *p = cur, *q;
        while ((q = strstr(p, subs[i].from))) {
            memcpy(w, p, (size_t)(q - p));
            w += q - p;
            memcpy(w, subs[i].to, tl);
            w += tl;
            p = q + fl;
        }
        memcpy(w, p, strlen(p) + 1);
        free(cur);
        cur = out;
    }
    return cur;
}

static bool json_equal_loose(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_object(a)) {
        const char *k;
        json_t *v;
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach(a, k, v)
        {
            json_t *w = json_object_get(b, k);
            if (!w || !json_equal_loose(v, w))
                return false;
        }
        return true;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!json_equal_loose(json_array_get(a, i), json_array_get(b, i)))
                return false;
        }
        return true;
    }
    return json_equal(a, b);
}

/* The JSON-schema keywords the CE cases use: type, required, properties, enum. */
static bool schema_ok(json_t *schema, json_t *v, char *why, size_t why_size)
{
    const char *type = json_string_value(json_object_get(schema, "type"));
    json_t *req = json_object_get(schema, "required"),
           *props = json_object_get(schema, "properties");
    json_t *en = json_object_get(schema, "enum"), *x;
    const char *k;
    size_t i;

    if (type) {
        bool ok = (!strcmp(type, "object") && json_is_object(v)) ||
                  (!strcmp(type, "array") && json_is_array(v)) ||
                  (!strcmp(type, "string") && json_is_string(v)) ||
                  (!strcmp(type, "boolean") && json_is_boolean(v)) ||
                  (!strcmp(type, "null") && json_is_null(v)) ||
                  (!strcmp(type, "number") && json_is_number(v)) ||
                  (!strcmp(type, "integer") && json_is_number(v) &&
                   floor(json_number_value(v)) == json_number_value(v));
        if (!ok) {
            snprintf(why, why_size, "schema: value is not of type %s", type);
            return false;
        }
    }
    if (json_is_array(en)) {
        bool found = false;
        json_array_foreach(en, i, x) found = found || json_equal_loose(x, v);
        if (!found) {
            snprintf(why, why_size, "schema: value not in enum");
            return false;
        }
    }
    if (json_is_object(v)) {
        json_array_foreach(req, i, x)
        {
            if (!json_object_get(v, json_string_value(x))) {
                snprintf(why, why_size, "schema: required property %s missing",
                         json_string_value(x));
                return false;
            }
        }
        json_object_foreach(props, k, x)
        {
            json_t *pv = json_object_get(v, k);
            if (pv && !schema_ok(x, pv, why, why_size))
                return false;
        }
    }
    return true;
}

static void canonical(const char *in, char *out, size_t n)
{
    bool up = true;
    size_t i;

    for (i = 0; in[i] && i + 1 < n; i++) {
        char c = in[i];
        out[i] = up ? (char)(c >= 'a' && c <= 'z' ? c - 32 : c)
                    : (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        up = c == '-';
    }
    out[i] = '\0';
}

static bool run_case(const char *name, json_t *tc, char *why, size_t why_size)
{
    json_t *in = json_object_get(tc, "in"), *out = json_object_get(tc, "out");
    const char *method = json_string_value(json_object_get(in, "method"));
    const char *url = json_string_value(json_object_get(in, "url"));
    json_t *hdrs = json_object_get(in, "header"), *body = json_object_get(in, "body"), *v;
    struct curl_slist *sl = NULL;
    struct resp r = {0};
    char *sendbody = NULL, line[4096], canon[256];
    const char *k;
    bool ok = false;
    CURL *e = curl_easy_init();

    (void)name;
    if (!e || !url) {
        snprintf(why, why_size, "bad case (no url)");
        goto out;
    }
    if (!method)
        method = "GET";
    sl = curl_slist_append(sl, "Accept:"); /* Go's client sends none */
    json_object_foreach(hdrs, k, v)
    {
        snprintf(line, sizeof(line), "%s: %s", k, json_string_value(v) ? json_string_value(v) : "");
        sl = curl_slist_append(sl, line);
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "Go-http-client/1.1");
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, sl);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &r);
    if (body && !json_is_null(body)) {
        sendbody = json_is_string(body) ? strdup(json_string_value(body))
                                        : json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, sendbody);
        sl = curl_slist_append(sl, "Content-Type:");
    } else if (!strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        sl = curl_slist_append(sl, "Content-Type:");
    }
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    CURLcode rc = curl_easy_perform(e);
    if (rc != CURLE_OK) {
        snprintf(why, why_size, "request failed: %s", curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
    long want = (long)json_integer_value(json_object_get(out, "status_code"));
    if (r.status != want) {
        snprintf(why, why_size, "status %ld, want %ld; body: %.300s", r.status, want,
                 r.body ? r.body : "");
        goto out;
    }
    json_object_foreach(json_object_get(out, "header"), k, v)
    {
        char got[2048] = "";
        size_t count = 0;
        char exp[2048] = "";
        size_t i;
        json_t *x;
        canonical(k, canon, sizeof(canon));
        for (size_t h = 0; h < r.nh; h++) {
            char hc[256];
            canonical(r.hn[h], hc, sizeof(hc));
            if (strcmp(hc, canon) == 0) {
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", count ? "|" : "",
                         r.hv[h]);
                count++;
            }
        }
        json_array_foreach(v, i, x) snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), "%s%s",
                                             i ? "|" : "", json_string_value(x));
        if (count == 0) {
            const char *first = json_string_value(json_array_get(v, 0));
            if (first && first[0] == '\0')
                continue;
            snprintf(why, why_size, "header %s missing, want [%s]", canon, exp);
            goto out;
        }
        if (strcmp(got, exp) != 0 || count != json_array_size(v)) {
            snprintf(why, why_size, "header %s is [%s], want [%s]", canon, got, exp);
            goto out;
        }
    }
    json_t *schema = json_object_get(out, "schema"), *want_body = json_object_get(out, "body");
    if (json_is_object(schema) && json_object_size(schema) > 0) {
        json_t *got = json_loadb(r.body ? r.body : "", r.len, JSON_DECODE_ANY, NULL);
        bool sok = got && schema_ok(schema, got, why, why_size);
        if (!got)
            snprintf(why, why_size, "body is not JSON: %.200s", r.body ? r.body : "");
        json_decref(got);
        if (!sok)
            goto out;
    } else if (json_is_string(want_body)) {
        const char *w = json_string_value(want_body);
        if (strlen(w) != r.len || memcmp(w, r.body ? r.body : "", r.len) != 0) {
            snprintf(why, why_size, "body\n    got:  %.600s\n    want: %.600s",
                     r.body ? r.body : "", w);
            goto out;
        }
    } else if (want_body) {
        json_t *got = json_loadb(r.body ? r.body : "", r.len, JSON_DECODE_ANY, NULL);
        bool same = got && json_equal_loose(got, want_body);
        json_decref(got);
        if (!same) {
            char *w = json_dumps(want_body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
            snprintf(why, why_size, "body\n    got:  %.600s\n    want: %.600s",
                     r.body ? r.body : "", w ? w : "");
            free(w);
            goto out;
        }
    }
    ok = true;
out:
    resp_clear_headers(&r);
    free(r.body);
    free(sendbody);
    curl_slist_free_all(sl);
    if (e)
        curl_easy_cleanup(e);
    return ok;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reason a case is skipped (from skip.tsv), or NULL. */
static const char *skip_reason(char *skips, const char *name, char *buf, size_t n)
{
    char *line = skips;

    while (line && *line) {
        char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) : strlen(line);
        char *tab = memchr(line, '\t', l);
        if (line[0] != '#' && tab && (size_t)(tab - line) == strlen(name) &&
            strncmp(line, name, strlen(name)) == 0) {
            snprintf(buf, n, "%.*s", (int)(l - (size_t)(tab - line) - 1), tab + 1);
            return buf;
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (b = malloc((size_t)n + 1))) {
        if (fread(b, 1, (size_t)n, f) != (size_t)n) {
            free(b);
            b = NULL;
        } else {
            b[n] = '\0';
        }
    }
    fclose(f);
    return b;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *skipfile = NULL, *only = NULL;
    struct subst subs[4] = {
        {"localhost:8080", ""}, {"127.0.0.1:8080", ""}, {"127.0.0.1:8081", ""}, {"2.13.8", ""}};
    char *names[MAX_CASES], *skips = NULL;
    size_t n = 0, passed = 0, failed = 0, skipped = 0;
    DIR *d;
    struct dirent *de;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--specs"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--skip"))
            skipfile = argv[i + 1];
        else if (!strcmp(argv[i], "--only"))
            only = argv[i + 1];
        else if (!strcmp(argv[i], "--gateway-port")) {
            snprintf(subs[0].to, sizeof(subs[0].to), "localhost:%s", argv[i + 1]);
            snprintf(subs[1].to, sizeof(subs[1].to), "127.0.0.1:%s", argv[i + 1]);
        } else if (!strcmp(argv[i], "--backend-port"))
            snprintf(subs[2].to, sizeof(subs[2].to), "127.0.0.1:%s", argv[i + 1]);
        else if (!strcmp(argv[i], "--version"))
            snprintf(subs[3].to, sizeof(subs[3].to), "%s", argv[i + 1]);
    }
    if (!dir || !subs[0].to[0] || !subs[2].to[0] || !subs[3].to[0]) {
        fprintf(stderr,
                "usage: %s --specs DIR --gateway-port P --backend-port P --version V "
                "[--skip FILE] [--only NAME]\n",
                argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (skipfile)
        skips = slurp(skipfile);
    d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 2;
    }
    while ((de = readdir(d)) && n < MAX_CASES) {
        size_t l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".json"))
            names[n++] = strndup(de->d_name, l - 5);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096], reason[512], why[2048] = "";
        const char *skip = skip_reason(skips, names[i], reason, sizeof(reason));
        if (only && strcmp(only, names[i]) != 0)
            goto next;
        if (skip) {
            printf("SKIPPED - %s: %s\n", names[i], skip);
            skipped++;
            goto next;
        }
        snprintf(path, sizeof(path), "%s/%s.json", dir, names[i]);
        char *raw = slurp(path), *text = raw ? substitute(raw, subs, 4) : NULL;
        json_t *tc = text ? json_loads(text, 0, NULL) : NULL;
        if (tc && run_case(names[i], tc, why, sizeof(why))) {
            printf("ok - %s\n", names[i]);
            passed++;
        } else {
            printf("FAIL - %s: %s\n", names[i], tc ? why : "cannot read the case");
            failed++;
        }
        json_decref(tc);
        free(raw);
        free(text);
    next:
        free(names[i]);
    }
    free(skips);
    curl_global_cleanup();
    printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
