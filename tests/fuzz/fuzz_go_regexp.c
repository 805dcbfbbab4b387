/* fuzz_go_regexp.c - libFuzzer target for Go's regexp on PCRE2 (common/go/regexp): a pattern
 * from the input is parsed with Go's rules, translated, compiled and matched against a subject;
 * the subject is also compiled as a literal, which must match itself. Nothing may crash, leak
 * or run without bound.
 * Input: pattern, a newline, then the subject (both capped at 4 KiB). Seeds: tests/data/go/regexp. */
#include "cmn_go_re.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t plen = nl ? (size_t)(nl - in) : size;
    const char *subj = nl ? nl + 1 : NULL;
    size_t slen = nl ? size - plen - 1 : 0;
    struct cmn_err err;
    struct cmn_buf out;
    enum cmn_go_re_status st;
    struct cmn_go_re *re;

    if (plen > CAP)
        plen = CAP;
    if (slen > CAP)
        slen = CAP;
    cmn_buf_init(&out, 1 << 24);
    st = cmn_go_re_translate(in, plen, &out, &err);
    cmn_buf_free(&out);
    re = cmn_go_re_compile(in, plen, plen & 1 ? CMN_GO_RE_ONCE : 0, &err);
    /* Go's verdict comes from the parser alone: compile refuses as SYNTAX exactly when the
     * translation did */
    if ((st == CMN_GO_RE_SYNTAX) != (!re && err.code == CMN_GO_RE_SYNTAX))
        __builtin_trap();
    if (re) {
        (void)cmn_go_re_match(re, subj, slen);
        cmn_go_re_destroy(re);
    }
    for (int fold = 0; fold < 2; fold++) {
        re = cmn_go_re_compile_literal(subj ? subj : "", slen, fold, &err);
        if (re && cmn_go_re_match(re, subj, slen) == CMN_GO_RE_NOMATCH)
            __builtin_trap(); /* a string always equals itself */
        cmn_go_re_destroy(re);
    }
    return 0;
}
