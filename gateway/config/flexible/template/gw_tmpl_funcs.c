/* gw_tmpl_funcs.c - the function table (Go's built-ins, sprig v3.2.3's 210 names, KrakenD's
 * marshal and include; sorted by name) with each function's parameter types, and the
 * conversions the functions share (spf13/cast's ToInt64/ToFloat64, Go's float-to-int). */
#include "gw_tmpl_fns.h"

#include <math.h>
#include <string.h>

/* Names that exist (a template using them parses, as in KrakenD) but whose calls fail with
 * "not supported by this gateway": toDate, crypto and certificates, regexes, semver,
 * URLs, DNS and the xstrings case converters. See docs/flexible-config.md. */
static const struct tfn table[] = {
    {"abbrev", tfs_abbrev, 2, {TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"abbrevboth", tfs_abbrevboth, 3, {TP_INT, TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"add", tfm_add, 0, {0}, TP_ANY, TFN_PLAIN},
    {"add1", tfm_add1, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"add1f", tfm_add1f, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"addf", tfm_addf, 0, {0}, TP_ANY, TFN_PLAIN},
    {"adler32sum", tfe_adler32sum, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"ago", tfd_ago, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"all", tfm_all, 0, {0}, TP_ANY, TFN_PLAIN},
    {"and", NULL, 1, {TP_VALUE}, TP_VALUE, TFN_AND},
    {"any", tfm_any, 0, {0}, TP_ANY, TFN_PLAIN},
    {"append", tfl_push, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"atoi", tfm_atoi, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"b32dec", tfe_b32dec, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"b32enc", tfe_b32enc, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"b64dec", tfe_b64dec, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"b64enc", tfe_b64enc, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"base", tfm_base, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"bcrypt", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"biggest", tfm_max, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"buildCustomCert", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"call", NULL, 1, {TP_VALUE}, TP_VALUE, TFN_CALL},
    {"camelcase", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"cat", tfs_cat, 0, {0}, TP_ANY, TFN_PLAIN},
    {"ceil", tfm_ceil, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"chunk", tfl_chunk, 2, {TP_INT, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"clean", tfm_clean, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"coalesce", tfm_coalesce, 0, {0}, TP_ANY, TFN_PLAIN},
    {"compact", tfl_compact, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"concat", tfl_concat, 0, {0}, TP_ANY, TFN_PLAIN},
    {"contains", tfs_contains, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"date", tfd_date, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"dateInZone", tfd_date_in_zone, 3, {TP_STRING, TP_ANY, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"dateModify", tfd_date_modify, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"date_in_zone", tfd_date_in_zone, 3, {TP_STRING, TP_ANY, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"date_modify", tfd_date_modify, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"decryptAES", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"deepCopy", tfl_deep_copy, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"deepEqual", tfm_deep_equal, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"default", tfm_default, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"derivePassword", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"dict", tfl_dict, 0, {0}, TP_ANY, TFN_PLAIN},
    {"dig", tfl_dig, 0, {0}, TP_ANY, TFN_PLAIN},
    {"dir", tfm_dir, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"div", tfm_div, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"divf", tfm_divf, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"duration", tfm_duration, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"durationRound", tfd_duration_round, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"empty", tfm_empty, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"encryptAES", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"env", tfm_env, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"eq", tfb_eq, 1, {TP_VALUE}, TP_VALUE, TFN_PLAIN},
    {"expandenv", tfm_expandenv, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"ext", tfm_ext, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"fail", tfm_fail, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"first", tfl_first, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"float64", tfm_float64, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"floor", tfm_floor, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"fromJson", tfm_from_json, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"ge", tfb_ge, 2, {TP_VALUE, TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"genCA", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"genCAWithKey", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"genPrivateKey", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"genSelfSignedCert", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"genSelfSignedCertWithKey", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"genSignedCert", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"genSignedCertWithKey", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"get", tfl_get, 2, {TP_MAP, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"getHostByName", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"gt", tfb_gt, 2, {TP_VALUE, TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"has", tfl_has, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"hasKey", tfl_has_key, 2, {TP_MAP, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"hasPrefix", tfs_has_prefix, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"hasSuffix", tfs_has_suffix, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"hello", tfs_hello, 0, {0}, TP_NONE, TFN_PLAIN},
    {"html", tfb_html, 0, {0}, TP_ANY, TFN_PLAIN},
    {"htmlDate", tfd_html_date, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"htmlDateInZone", tfd_html_date_in_zone, 2, {TP_ANY, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"htpasswd", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"include", tfb_include, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"indent", tfs_indent, 2, {TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"index", tfb_index, 1, {TP_VALUE}, TP_VALUE, TFN_PLAIN},
    {"initial", tfl_initial, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"initials", tfs_initials, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"int", tfm_int, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"int64", tfm_int64, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"isAbs", tfm_is_abs, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"join", tfl_join, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"js", tfb_js, 0, {0}, TP_ANY, TFN_PLAIN},
    {"kebabcase", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"keys", tfl_keys, 0, {0}, TP_MAP, TFN_PLAIN},
    {"kindIs", tfm_kind_is, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"kindOf", tfm_kind_of, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"last", tfl_last, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"le", tfb_le, 2, {TP_VALUE, TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"len", tfb_len, 1, {TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"list", tfl_list, 0, {0}, TP_ANY, TFN_PLAIN},
    {"lower", tfs_lower, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"lt", tfb_lt, 2, {TP_VALUE, TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"marshal", tfb_marshal, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"max", tfm_max, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"maxf", tfm_maxf, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"merge", tfl_merge, 1, {TP_MAP}, TP_MAP, TFN_PLAIN},
    {"mergeOverwrite", tfl_merge_overwrite, 1, {TP_MAP}, TP_MAP, TFN_PLAIN},
    {"min", tfm_min, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"minf", tfm_minf, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"mod", tfm_mod, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mul", tfm_mul, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"mulf", tfm_mulf, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"mustAppend", tfl_push, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustChunk", tfl_chunk, 2, {TP_INT, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustCompact", tfl_compact, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustDateModify", tfd_must_date_modify, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustDeepCopy", tfl_deep_copy, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustFirst", tfl_first, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustFromJson", tfm_must_from_json, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"mustHas", tfl_has, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustInitial", tfl_initial, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustLast", tfl_last, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustMerge", tfl_merge, 1, {TP_MAP}, TP_MAP, TFN_PLAIN},
    {"mustMergeOverwrite", tfl_merge_overwrite, 1, {TP_MAP}, TP_MAP, TFN_PLAIN},
    {"mustPrepend", tfl_prepend, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustPush", tfl_push, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustRegexFind", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustRegexFindAll", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustRegexMatch", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustRegexReplaceAll", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustRegexReplaceAllLiteral", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustRegexSplit", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustRest", tfl_rest, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustReverse", tfl_reverse, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustSlice", tfl_slice, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"mustToDate", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"mustToJson", tfm_must_to_json, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustToPrettyJson", tfm_must_to_pretty_json, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustToRawJson", tfm_to_raw_json, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustUniq", tfl_uniq, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"mustWithout", tfl_without, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"must_date_modify", tfd_must_date_modify, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"ne", tfb_ne, 2, {TP_VALUE, TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"nindent", tfs_nindent, 2, {TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"nospace", tfs_nospace, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"not", tfb_not, 1, {TP_VALUE}, TP_NONE, TFN_PLAIN},
    {"now", tfd_now, 0, {0}, TP_NONE, TFN_PLAIN},
    {"omit", tfl_omit, 1, {TP_MAP}, TP_STRING, TFN_PLAIN},
    {"or", NULL, 1, {TP_VALUE}, TP_VALUE, TFN_OR},
    {"osBase", tfm_base, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"osClean", tfm_clean, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"osDir", tfm_dir, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"osExt", tfm_ext, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"osIsAbs", tfm_is_abs, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"pick", tfl_pick, 1, {TP_MAP}, TP_STRING, TFN_PLAIN},
    {"pluck", tfl_pluck, 1, {TP_STRING}, TP_MAP, TFN_PLAIN},
    {"plural", tfs_plural, 3, {TP_STRING, TP_STRING, TP_INT}, TP_NONE, TFN_PLAIN},
    {"prepend", tfl_prepend, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"print", tfb_print, 0, {0}, TP_ANY, TFN_PLAIN},
    {"printf", tfb_printf, 1, {TP_STRING}, TP_ANY, TFN_PLAIN},
    {"println", tfb_println, 0, {0}, TP_ANY, TFN_PLAIN},
    {"push", tfl_push, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"quote", tfs_quote, 0, {0}, TP_ANY, TFN_PLAIN},
    {"randAlpha", tfe_rand_alpha, 1, {TP_INT}, TP_NONE, TFN_PLAIN},
    {"randAlphaNum", tfe_rand_alnum, 1, {TP_INT}, TP_NONE, TFN_PLAIN},
    {"randAscii", tfe_rand_ascii, 1, {TP_INT}, TP_NONE, TFN_PLAIN},
    {"randBytes", tfe_rand_bytes, 1, {TP_INT}, TP_NONE, TFN_PLAIN},
    {"randInt", tfe_rand_int, 2, {TP_INT, TP_INT}, TP_NONE, TFN_PLAIN},
    {"randNumeric", tfe_rand_numeric, 1, {TP_INT}, TP_NONE, TFN_PLAIN},
    {"regexFind", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"regexFindAll", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"regexMatch", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"regexQuoteMeta", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"regexReplaceAll", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"regexReplaceAllLiteral", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"regexSplit", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"repeat", tfs_repeat, 2, {TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"replace", tfs_replace, 3, {TP_STRING, TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"rest", tfl_rest, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"reverse", tfl_reverse, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"round", tfm_round, 2, {TP_ANY, TP_INT}, TP_FLOAT, TFN_PLAIN},
    {"semver", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"semverCompare", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"seq", tfl_seq, 0, {0}, TP_INT, TFN_PLAIN},
    {"set", tfl_set, 3, {TP_MAP, TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"sha1sum", tfe_sha1sum, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"sha256sum", tfe_sha256sum, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"shuffle", tfe_shuffle, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"slice", tfl_slice, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"snakecase", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"sortAlpha", tfl_sort_alpha, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"split", tfs_split, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"splitList", tfs_split_list, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"splitn", tfs_splitn, 3, {TP_STRING, TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"squote", tfs_squote, 0, {0}, TP_ANY, TFN_PLAIN},
    {"sub", tfm_sub, 2, {TP_ANY, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"subf", tfm_subf, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"substr", tfs_substr, 3, {TP_INT, TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"swapcase", tfs_swapcase, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"ternary", tfm_ternary, 3, {TP_ANY, TP_ANY, TP_BOOL}, TP_NONE, TFN_PLAIN},
    {"title", tfs_title, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"toDate", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"toDecimal", tfm_to_decimal, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"toJson", tfm_to_json, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"toPrettyJson", tfm_to_pretty_json, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"toRawJson", tfm_to_raw_json, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"toString", tfs_to_string, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"toStrings", tfl_to_strings, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"trim", tfs_trim, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"trimAll", tfs_trimall, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"trimPrefix", tfs_trim_prefix, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"trimSuffix", tfs_trim_suffix, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"trimall", tfs_trimall, 2, {TP_STRING, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"trunc", tfs_trunc, 2, {TP_INT, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"tuple", tfl_list, 0, {0}, TP_ANY, TFN_PLAIN},
    {"typeIs", tfm_type_is, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"typeIsLike", tfm_type_is_like, 2, {TP_STRING, TP_ANY}, TP_NONE, TFN_PLAIN},
    {"typeOf", tfm_type_of, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"uniq", tfl_uniq, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"unixEpoch", tfd_unix_epoch, 1, {TP_ANY}, TP_NONE, TFN_PLAIN},
    {"unset", tfl_unset, 2, {TP_MAP, TP_STRING}, TP_NONE, TFN_PLAIN},
    {"until", tfl_until, 1, {TP_INT}, TP_NONE, TFN_PLAIN},
    {"untilStep", tfl_until_step, 3, {TP_INT, TP_INT, TP_INT}, TP_NONE, TFN_PLAIN},
    {"untitle", tfs_untitle, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"upper", tfs_upper, 1, {TP_STRING}, TP_NONE, TFN_PLAIN},
    {"urlJoin", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"urlParse", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"urlquery", tfb_urlquery, 0, {0}, TP_ANY, TFN_PLAIN},
    {"uuidv4", tfe_uuidv4, 0, {0}, TP_NONE, TFN_PLAIN},
    {"values", tfl_values, 1, {TP_MAP}, TP_NONE, TFN_PLAIN},
    {"without", tfl_without, 1, {TP_ANY}, TP_ANY, TFN_PLAIN},
    {"wrap", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
    {"wrapWith", NULL, 0, {0}, TP_ANY, TFN_UNSUPPORTED},
};

#define NFUNCS (sizeof(table) / sizeof(table[0]))

static int name_cmp(const char *name, const char *s, size_t n)
{
    size_t k = strlen(name);
    int c = memcmp(name, s, k < n ? k : n);

    if (c)
        return c;
    return k < n ? -1 : k > n;
}

const struct tfn *tfn_find(const struct gw_tmpl_set *s, const char *name, size_t n)
{
    size_t lo = 0, hi = NFUNCS;

    for (size_t i = 0; s && i < s->nhost; i++) {
        if (name_cmp(s->host_fns[i].f.name, name, n) == 0)
            return &s->host_fns[i].f;
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = name_cmp(table[mid].name, name, n);
        if (c == 0)
            return &table[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t gw_tmpl_func_count(void)
{
    return NFUNCS;
}

const char *gw_tmpl_func_name(size_t i)
{
    return i < NFUNCS ? table[i].name : NULL;
}

bool gw_tmpl_func_supported(const char *name)
{
    const struct tfn *f = tfn_find(NULL, name, strlen(name));

    return f && f->special != TFN_UNSUPPORTED;
}

/* ---- shared helpers ---- */

bool tfn_is_list(const struct tv *v)
{
    return v->kind == TV_LIST;
}

const char *tfn_kind_for_msg(const struct tv *v)
{
    return tv_kind_name(v);
}

void *tfn_nil_deref(struct texec *x)
{
    return tfn_fail(x, "runtime error: invalid memory address or nil pointer dereference");
}

int64_t tgo_f2i(double f)
{
    if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)f;
}

bool tgo_atoi(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0;
    size_t i = 0;

    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

int64_t tcast_int64(const struct tv *v)
{
    int64_t r;

    switch (v->kind) {
    case TV_INT:
        return v->u.i;
    case TV_FLOAT:
        return tgo_f2i(v->u.f);
    case TV_BOOL:
        return v->u.b ? 1 : 0;
    case TV_STRING:
        return tgo_parse_int0(v->u.s.p, v->u.s.n, &r) ? r : 0;
    default:
        return 0;
    }
}

double tcast_float64(const struct tv *v)
{
    double f;

    switch (v->kind) {
    case TV_INT:
        return (double)v->u.i;
    case TV_FLOAT:
        return v->u.f;
    case TV_BOOL:
        return v->u.b ? 1 : 0;
    case TV_STRING:
        return tgo_parse_float(v->u.s.p, v->u.s.n, &f) ? f : 0;
    default:
        return 0;
    }
}
