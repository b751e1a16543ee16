// A C face for RE2 (Debian's libre2), the regular expression engine whose syntax and semantics Go's regexp
// package (and so Alertmanager's =~ matchers) follows. Only AlertRelayRegex includes this header.
#ifndef ALERTRELAY_CRE2_H
#define ALERTRELAY_CRE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct alertrelay_re2 alertrelay_re2;

/// Compiles `pattern` (UTF-8, `length` bytes) as Go's regexp.Compile would: RE2 syntax, Perl classes and
/// word boundaries ASCII-only, `.` not matching a newline unless (?s). Returns NULL on a syntax error and
/// sets `*error` to a message the caller frees with alertrelay_re2_free_error.
alertrelay_re2 *alertrelay_re2_compile(const char *pattern, size_t length, char **error);

/// 1 when the expression matches somewhere in `text` (UTF-8, `length` bytes), as Go's MatchString; else 0.
/// Safe to call from several threads.
int alertrelay_re2_match(const alertrelay_re2 *regex, const char *text, size_t length);

void alertrelay_re2_free(alertrelay_re2 *regex);
void alertrelay_re2_free_error(char *error);

#ifdef __cplusplus
}
#endif

#endif
