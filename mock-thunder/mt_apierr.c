/* mt_apierr.c - the management API's error catalogue, as the real server words it. */
#include "mt_apierr.h"

#include <stdio.h>

#define RES "error.resourceservice."
#define ROL "error.roleservice."
#define APP "error.applicationservice."
#define OU "error.ouservice."

/* Messages and keys follow ThunderID v0.43 (spec §3-§7); statuses follow each handler's
 * handleError: not-found codes 404, name/handle/identifier conflicts 409 (roles: 1004 only,
 * applications: never), other client errors 400. */
static const struct mt_apierr table[MT_E__COUNT] = {
    [MT_E_OK] = {200, "", "", "", ""},
    [MT_E_INTERNAL] = {500, "SSE-5000", "error.server.internal_server_error",
                       "Internal server error",
                       "An unexpected error occurred while processing the request"},
    [MT_E_LIMIT] = {400, "MT-1001", "error.mockthunder.limit_reached", "Limit reached",
                    "mock-thunder keeps at most 10000 entities of each kind"},
    [MT_E_AUTH_UNAUTHORIZED] = {401, "AUTH-4010", "error.auth.unauthorized", "Unauthorized",
                                "Authentication is required to access this resource"},
    [MT_E_AUTH_FORBIDDEN] = {403, "AUTH-4030", "error.auth.forbidden", "Forbidden",
                             "You do not have sufficient permissions to access this resource"},
    [MT_E_RES_INVALID_REQUEST] = {400, "RES-1001", RES "invalid_request_format",
                                  "Invalid request format",
                                  "The request body is malformed or contains invalid data"},
    [MT_E_RES_RS_NOT_FOUND] = {404, "RES-1003", RES "resource_server_not_found",
                               "Resource server not found",
                               "The resource server with the specified id does not exist"},
    [MT_E_RES_NAME_CONFLICT] = {409, "RES-1004", RES "name_conflict", "Name conflict",
                                "A resource server with the same name already exists"},
    [MT_E_RES_PARENT_NOT_FOUND] = {400, "RES-1005", RES "parent_resource_not_found",
                                   "Parent resource not found",
                                   "The specified parent resource does not exist"},
    [MT_E_RES_CANNOT_DELETE] = {400, "RES-1006", RES "cannot_delete", "Cannot delete",
                                "Cannot delete resource server/resource that has dependencies"},
    [MT_E_RES_RESOURCE_NOT_FOUND] = {404, "RES-1008", RES "resource_not_found",
                                     "Resource not found",
                                     "The resource with the specified id does not exist"},
    [MT_E_RES_ACTION_NOT_FOUND] = {404, "RES-1009", RES "action_not_found", "Action not found",
                                   "The action with the specified id does not exist"},
    [MT_E_RES_OU_NOT_FOUND] = {400, "RES-1010", RES "organization_unit_not_found",
                               "Organization unit not found",
                               "The specified organization unit does not exist"},
    [MT_E_RES_INVALID_LIMIT] = {400, "RES-1011", RES "invalid_limit_parameter",
                                "Invalid limit parameter",
                                "The limit parameter must be a positive integer"},
    [MT_E_RES_INVALID_OFFSET] = {400, "RES-1012", RES "invalid_offset_parameter",
                                 "Invalid offset parameter",
                                 "The offset parameter must be a non-negative integer"},
    [MT_E_RES_IDENTIFIER_CONFLICT] = {409, "RES-1013", RES "identifier_conflict",
                                      "Identifier conflict",
                                      "A resource server with the same identifier already exists"},
    [MT_E_RES_HANDLE_CONFLICT] = {409, "RES-1014", RES "handle_conflict", "Handle conflict",
                                  "The same handle already exists within the specified resource"},
    [MT_E_RES_INVALID_DELIMITER] = {400, "RES-1015", RES "invalid_delimiter", "Invalid delimiter",
                                    "Delimiter must be a single valid character "
                                    "(a-z A-Z 0-9 . _ : - /)"},
    [MT_E_RES_INVALID_HANDLE] = {400, "RES-1016", RES "invalid_handle", "Invalid handle",
                                 "Handle length must be less than 100 characters and contain "
                                 "valid characters (a-z A-Z 0-9 . _ : - /)"},
    [MT_E_RES_DELIMITER_IN_HANDLE] = {400, "RES-1017", RES "delimiter_conflict_in_handle",
                                      "Delimiter conflict in handle",
                                      "Handle cannot contain the delimiter character"},
    [MT_E_RES_IMMUTABLE_RS] = {400, "RES-1018", RES "cannot_modify_declarative_resource_server",
                               "Cannot modify declarative resource server",
                               "The resource server is defined in declarative configuration and "
                               "cannot be modified"},
    [MT_E_RES_DELIMITER_IN_RS_HANDLE] = {400, "RES-1022",
                                         RES "delimiter_conflict_in_resource_server_handle",
                                         "Delimiter conflict in resource server handle",
                                         "Resource server handle cannot contain the delimiter "
                                         "character"},
    [MT_E_ROL_INVALID_REQUEST] = {400, "ROL-1001", ROL "invalid_request_format",
                                  "Invalid request format",
                                  "The request body is malformed or contains invalid data"},
    [MT_E_ROL_NOT_FOUND] = {404, "ROL-1003", ROL "role_not_found", "Role not found",
                            "The role with the specified id does not exist"},
    [MT_E_ROL_NAME_CONFLICT] = {409, "ROL-1004", ROL "role_name_conflict", "Role name conflict",
                                "A role with the same name exists under the same organization "
                                "unit"},
    [MT_E_ROL_OU_NOT_FOUND] = {400, "ROL-1005", ROL "organization_unit_not_found",
                               "Organization unit not found", "Organization unit not found"},
    [MT_E_ROL_CANNOT_DELETE] = {400, "ROL-1006", ROL "cannot_delete_role", "Cannot delete role",
                                "Cannot delete role that is currently assigned to users or "
                                "groups"},
    [MT_E_ROL_INVALID_ASSIGNMENT_ID] = {400, "ROL-1007", ROL "invalid_assignment_id",
                                        "Invalid assignment ID",
                                        "One or more assignment IDs in the request do not exist "
                                        "or do not match the claimed type"},
    [MT_E_ROL_INVALID_LIMIT] = {400, "ROL-1008", ROL "invalid_limit_parameter",
                                "Invalid limit parameter",
                                "The limit parameter must be a positive integer"},
    [MT_E_ROL_INVALID_OFFSET] = {400, "ROL-1009", ROL "invalid_offset_parameter",
                                 "Invalid offset parameter",
                                 "The offset parameter must be a non-negative integer"},
    [MT_E_ROL_EMPTY_ASSIGNMENTS] = {400, "ROL-1010", ROL "empty_assignments_list",
                                    "Empty assignments list",
                                    "At least one assignment must be provided"},
    [MT_E_ROL_INVALID_PERMISSIONS] = {400, "ROL-1012", ROL "invalid_permissions",
                                      "Invalid permissions",
                                      "One or more permissions do not exist in the resource "
                                      "management system"},
    [MT_E_ROL_IMMUTABLE] = {400, "ROL-1013", ROL "cannot_modify_declarative_role",
                            "Cannot modify declarative role",
                            "The role is defined in declarative configuration and cannot be "
                            "modified"},
    [MT_E_ROL_INVALID_ASSIGNEE_TYPE] = {400, "ROL-1016", ROL "invalid_assignee_type",
                                        "Invalid assignee type",
                                        "The type parameter must be 'user', 'group', or 'app'"},
    [MT_E_APP_NOT_FOUND] = {404, "APP-1001", APP "application_not_found", "Application not found",
                            "The requested application could not be found"},
    [MT_E_APP_INVALID_CLIENT_ID] = {400, "APP-1003", APP "invalid_client_id", "Invalid client ID",
                                    "The provided client ID is invalid or empty"},
    [MT_E_APP_INVALID_NAME] = {400, "APP-1004", APP "invalid_application_name",
                               "Invalid application name",
                               "The provided application name is invalid or empty"},
    [MT_E_APP_INVALID_INBOUND] = {400, "APP-1009", APP "invalid_inbound_auth_config",
                                  "Invalid inbound auth config",
                                  "The provided inbound authentication configuration is invalid"},
    [MT_E_APP_INVALID_GRANT] = {400, "APP-1010", APP "invalid_grant_type", "Invalid grant type",
                                "One or more provided grant types are invalid"},
    [MT_E_APP_INVALID_AUTH_METHOD] = {400, "APP-1013", APP "invalid_token_endpoint_auth_method",
                                      "Invalid token endpoint authentication method",
                                      "The provided token endpoint authentication method is "
                                      "invalid"},
    [MT_E_APP_INVALID_REQUEST] = {400, "APP-1018", APP "invalid_request_format",
                                  "Invalid request format",
                                  "The request body is malformed or contains invalid data"},
    [MT_E_APP_NAME_EXISTS] = {400, "APP-1020", APP "application_already_exists",
                              "Application already exists",
                              "An application with the same name already exists"},
    [MT_E_APP_CLIENT_ID_EXISTS] = {400, "APP-1021", APP "application_with_client_id_already_exists",
                                   "Application with client ID already exists",
                                   "An application with the same client ID already exists"},
    [MT_E_OU_INVALID_REQUEST] = {400, "OU-1001", OU "invalid_request_format",
                                 "Invalid request format",
                                 "The request body is malformed, contains invalid data, or "
                                 "required fields are missing/empty"},
    [MT_E_OU_NOT_FOUND] = {404, "OU-1003", OU "organization_unit_not_found",
                           "Organization unit not found",
                           "The organization unit with the specified id does not exist"},
    [MT_E_OU_NAME_CONFLICT] = {409, "OU-1004", OU "organization_unit_name_conflict",
                               "Organization unit name conflict",
                               "An organization unit with the same name exists under the same "
                               "parent"},
    [MT_E_OU_PARENT_NOT_FOUND] = {400, "OU-1005", OU "parent_organization_unit_not_found",
                                  "Parent organization unit not found",
                                  "Parent organization unit not found"},
    [MT_E_OU_CANNOT_DELETE] = {400, "OU-1006", OU "organization_unit_has_children",
                               "Organization unit has children",
                               "Cannot delete organization unit with children or users/groups"},
    [MT_E_OU_CIRCULAR] = {400, "OU-1007", OU "circular_dependency_detected",
                          "Circular dependency detected",
                          "Setting this parent would create a circular dependency"},
    [MT_E_OU_HANDLE_CONFLICT] = {409, "OU-1008", OU "organization_unit_handle_conflict",
                                 "Organization unit handle conflict",
                                 "An organization unit with the same handle already exists under "
                                 "the same parent"},
    [MT_E_OU_INVALID_HANDLE_PATH] = {400, "OU-1009", OU "invalid_handle_path",
                                     "Invalid handle path",
                                     "The specified handle path does not exist"},
    [MT_E_OU_INVALID_LIMIT] = {400, "OU-1010", OU "invalid_limit_parameter",
                               "Invalid limit parameter",
                               "The limit parameter must be a positive integer"},
    [MT_E_OU_INVALID_OFFSET] = {400, "OU-1011", OU "invalid_offset_parameter",
                                "Invalid offset parameter",
                                "The offset parameter must be a non-negative integer"},
    [MT_E_OU_IMMUTABLE] = {400, "OU-1012", OU "cannot_modify_declarative_resource",
                           "Cannot modify declarative resource",
                           "The organization unit is declarative and cannot be modified or "
                           "deleted"},
};

const struct mt_apierr *mt_apierr_get(enum mt_e e)
{
    if ((int)e < 0 || e >= MT_E__COUNT || !table[e].code)
        return &table[MT_E_INTERNAL];
    return &table[e];
}

json_t *mt_apierr_body(enum mt_e e)
{
    const struct mt_apierr *a = mt_apierr_get(e);
    char dkey[160];

    snprintf(dkey, sizeof(dkey), "%s_description", a->key);
    return json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "code", a->code, "message", "key", a->key,
                     "defaultValue", a->message, "description", "key", dkey, "defaultValue",
                     a->description);
}
