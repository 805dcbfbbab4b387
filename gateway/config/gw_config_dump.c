/* gw_config_dump.c - the human-readable dump `check -d` prints (what the gateway understood). */
#include "gw_config_int.h"

#include <stdio.h>
#include <stdlib.h>

static const char *out_name(enum gw_output_encoding e)
{
    static const char *const names[] = {"json", "json-collection", "string", "no-op", "xml",
                                        "yaml", "negotiate"};
    return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

static const char *enc_name(enum gw_encoding e)
{
    static const char *const names[] = {"json", "safejson", "string", "no-op", "xml", "rss"};
    return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

static void list(FILE *f, const char *label, const struct gw_strlist *l)
{
    if (!l->set)
        return;
    fprintf(f, "%s[", label);
    for (size_t i = 0; i < l->n; i++)
        fprintf(f, "%s%s", i ? ", " : "", l->items[i]);
    fprintf(f, "]\n");
}

static void extra(FILE *f, const char *indent, const json_t *ec, int level)
{
    const char *k;
    json_t *v;

    if (!ec || json_object_size(ec) == 0)
        return;
    fprintf(f, "%sExtra (%zu):\n", indent, json_object_size(ec));
    json_object_foreach((json_t *)(uintptr_t)ec, k, v)
    {
        if (level >= 3) {
            char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
            fprintf(f, "%s  %s: %s\n", indent, k, s ? s : "?");
            free(s);
        } else {
            fprintf(f, "%s  %s\n", indent, k);
        }
    }
}

static void backend(FILE *f, const struct gw_backend *b, size_t j, int level)
{
    fprintf(f, "\t\tBackend #%zu: %s %s (%s)\n", j, b->method, b->url_pattern,
            enc_name(b->encoding));
    list(f, "\t\t  Hosts: ", &b->hosts);
    list(f, "\t\t  Allow: ", &b->allow);
    list(f, "\t\t  Deny: ", &b->deny);
    list(f, "\t\t  Input headers: ", &b->input_headers);
    list(f, "\t\t  Input query strings: ", &b->input_query_strings);
    if (b->target)
        fprintf(f, "\t\t  Target: %s\n", b->target);
    if (b->group)
        fprintf(f, "\t\t  Group: %s\n", b->group);
    if (b->is_collection)
        fprintf(f, "\t\t  Is collection: true\n");
    for (size_t k = 0; k < b->n_mapping; k++)
        fprintf(f, "\t\t  Mapping: %s -> %s\n", b->mapping[k].key, b->mapping[k].value);
    extra(f, "\t\t  ", b->extra_config, level);
}

void gw_config_dump(const struct gw_config *cfg, int level, FILE *f)
{
    if (!cfg || level <= 0)
        return;
    fprintf(f, "Parsed configuration: CacheTTL: %llds, Port: %u, Timeout: %lldms, Version: %d\n",
            (long long)cfg->cache_ttl_s, cfg->port, (long long)cfg->timeout_ms, cfg->version);
    if (cfg->name)
        fprintf(f, "Name: %s\n", cfg->name);
    list(f, "Hosts: ", &cfg->hosts);
    extra(f, "", cfg->extra_config, level);
    fprintf(f, "Endpoints (%zu):\n", cfg->n_endpoints);
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *e = &cfg->endpoints[i];
        fprintf(f,
                "\tEndpoint: %s, Method: %s, CacheTTL: %llds, Timeout: %lldms, "
                "Concurrent calls: %u, Output encoding: %s, Backends: %zu\n",
                e->path, e->method, (long long)e->cache_ttl_s, (long long)e->timeout_ms,
                e->concurrent_calls, out_name(e->output_encoding), e->n_backends);
        if (level < 2)
            continue;
        list(f, "\t  Input headers: ", &e->input_headers);
        list(f, "\t  Input query strings: ", &e->input_query_strings);
        if (e->sequential)
            fprintf(f, "\t  Sequential: true\n");
        extra(f, "\t  ", e->extra_config, level);
        for (size_t j = 0; j < e->n_backends; j++)
            backend(f, &e->backends[j], j, level);
    }
}
