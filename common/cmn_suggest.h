/* cmn_suggest.h - "did you mean": the known name a misspelt one most likely stands for, for the
 * messages about unknown configuration keys and namespaces. */
#ifndef CMN_SUGGEST_H
#define CMN_SUGGEST_H

#include <stddef.h>

/* Distance between a and b after both are normalised (ASCII lower case, '-' and '_' the same
 * character, "github_com" read as "github.com"): the optimal-string-alignment edit distance
 * (insertions, deletions, substitutions, transpositions of neighbours). 0 means the two differ
 * only in case, '-'/'_' or that prefix. Names longer than 255 bytes are compared on their first
 * 255 bytes. */
size_t cmn_suggest_distance(const char *a, const char *b);

/* The candidate closest to name when it is close enough to be a typo of it: distance 0 always,
 * otherwise at most 1 for names up to 5 bytes, 2 up to 8, 3 beyond (a name without '/' is also
 * compared with the last '/'-segment of each candidate, so "validator" finds "auth/validator").
 * Ties go to the earlier candidate; a candidate equal to name is never suggested. Returns a
 * borrowed candidate or NULL. */
const char *cmn_suggest(const char *name, const char *const *cands, size_t n);

#endif
