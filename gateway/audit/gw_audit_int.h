/* gw_audit_int.h - the rule type and the helpers the rule files share. */
#ifndef GW_AUDIT_INT_H
#define GW_AUDIT_INT_H

#include "gw_audit.h"

#define GW_AUDIT_MSG_MAX 512

struct gw_audit_rule {
    const char *id;
    const char *severity;
    const char *message;
    /* one of the two: a yes/no condition (the message as is), or a condition that writes the
     * message naming where it fires */
    bool (*applies)(const struct gw_config *cfg);
    bool (*explain)(const struct gw_config *cfg, char *msg, size_t msgsz);
};

/* The rules of this gateway (gw_audit_own.c), evaluated after KrakenD's. */
const struct gw_audit_rule *gw_audit_own_rules(size_t *n);

/* The namespace (short or canonical name) in an extra_config, or NULL. */
const json_t *gw_audit_ns(const json_t *extra_config, const char *name);
/* Whether the list holds s exactly. */
bool gw_audit_list_has(const struct gw_strlist *l, const char *s);

#endif
