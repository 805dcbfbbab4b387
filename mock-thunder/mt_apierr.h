/* mt_apierr.h - the management API's error catalogue (codes, i18n keys, messages, statuses). */
#ifndef MT_APIERR_H
#define MT_APIERR_H

#include <jansson.h>

/* One entry per error the mock can answer with; values index a constant table. */
enum mt_e {
    MT_E_OK = 0,
    MT_E_INTERNAL,
    MT_E_LIMIT,
    MT_E_AUTH_UNAUTHORIZED,
    MT_E_AUTH_FORBIDDEN,
    MT_E_RES_INVALID_REQUEST,
    MT_E_RES_RS_NOT_FOUND,
    MT_E_RES_NAME_CONFLICT,
    MT_E_RES_PARENT_NOT_FOUND,
    MT_E_RES_CANNOT_DELETE,
    MT_E_RES_RESOURCE_NOT_FOUND,
    MT_E_RES_ACTION_NOT_FOUND,
    MT_E_RES_OU_NOT_FOUND,
    MT_E_RES_INVALID_LIMIT,
    MT_E_RES_INVALID_OFFSET,
    MT_E_RES_IDENTIFIER_CONFLICT,
    MT_E_RES_HANDLE_CONFLICT,
    MT_E_RES_INVALID_DELIMITER,
    MT_E_RES_INVALID_HANDLE,
    MT_E_RES_DELIMITER_IN_HANDLE,
    MT_E_RES_IMMUTABLE_RS,
    MT_E_RES_DELIMITER_IN_RS_HANDLE,
    MT_E_ROL_INVALID_REQUEST,
    MT_E_ROL_NOT_FOUND,
    MT_E_ROL_NAME_CONFLICT,
    MT_E_ROL_OU_NOT_FOUND,
    MT_E_ROL_CANNOT_DELETE,
    MT_E_ROL_INVALID_ASSIGNMENT_ID,
    MT_E_ROL_INVALID_LIMIT,
    MT_E_ROL_INVALID_OFFSET,
    MT_E_ROL_EMPTY_ASSIGNMENTS,
    MT_E_ROL_INVALID_PERMISSIONS,
    MT_E_ROL_IMMUTABLE,
    MT_E_ROL_INVALID_ASSIGNEE_TYPE,
    MT_E_APP_NOT_FOUND,
    MT_E_APP_INVALID_CLIENT_ID,
    MT_E_APP_INVALID_NAME,
    MT_E_APP_INVALID_INBOUND,
    MT_E_APP_INVALID_GRANT,
    MT_E_APP_INVALID_AUTH_METHOD,
    MT_E_APP_INVALID_REQUEST,
    MT_E_APP_NAME_EXISTS,
    MT_E_APP_CLIENT_ID_EXISTS,
    MT_E_OU_INVALID_REQUEST,
    MT_E_OU_NOT_FOUND,
    MT_E_OU_NAME_CONFLICT,
    MT_E_OU_PARENT_NOT_FOUND,
    MT_E_OU_CANNOT_DELETE,
    MT_E_OU_CIRCULAR,
    MT_E_OU_HANDLE_CONFLICT,
    MT_E_OU_INVALID_HANDLE_PATH,
    MT_E_OU_INVALID_LIMIT,
    MT_E_OU_INVALID_OFFSET,
    MT_E_OU_IMMUTABLE,
    MT_E__COUNT
};

struct mt_apierr {
    unsigned status;  /* HTTP status the real server maps this code to */
    const char *code; /* "RES-1003" */
    const char *key;  /* i18n key of the message; the description key adds "_description" */
    const char *message;
    const char *description;
};

/* The table entry of e (borrowed, static). */
const struct mt_apierr *mt_apierr_get(enum mt_e e);
/* The JSON error body {code, message:{key, defaultValue}, description:{key, defaultValue}}
 * (owned), NULL on allocation failure. */
json_t *mt_apierr_body(enum mt_e e);

#endif
