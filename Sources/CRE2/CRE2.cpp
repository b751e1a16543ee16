#include "CRE2.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

struct alertrelay_re2 {
    re2::RE2 regex;
    alertrelay_re2(const re2::StringPiece &pattern, const re2::RE2::Options &options) : regex(pattern, options) {}
};

alertrelay_re2 *alertrelay_re2_compile(const char *pattern, size_t length, char **error) {
    re2::RE2::Options options;
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    options.set_log_errors(false);
    // Go's regexp: Perl classes (\d \w \s \b) ASCII-only, as RE2's default; `.` excludes \n unless (?s); no
    // longest-match (leftmost-first, as Go's default); no literal mode.
    options.set_posix_syntax(false);
    options.set_longest_match(false);
    options.set_dot_nl(false);
    // Go refuses nothing for size short of its own limits; RE2's default program budget (8 MiB) is larger
    // than any matcher written by hand.
    auto *compiled = new (std::nothrow) alertrelay_re2(re2::StringPiece(pattern, length), options);
    if (compiled == nullptr) {
        if (error != nullptr) *error = strdup("out of memory");
        return nullptr;
    }
    if (!compiled->regex.ok()) {
        if (error != nullptr) *error = strdup(compiled->regex.error().c_str());
        delete compiled;
        return nullptr;
    }
    return compiled;
}

int alertrelay_re2_match(const alertrelay_re2 *regex, const char *text, size_t length) {
    return re2::RE2::PartialMatch(re2::StringPiece(text, length), regex->regex) ? 1 : 0;
}

void alertrelay_re2_free(alertrelay_re2 *regex) { delete regex; }

void alertrelay_re2_free_error(char *error) { free(error); }
