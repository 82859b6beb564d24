// Unicode rules for people's text: case folding (so «ПАРОЛЬ» matches «пароль» as "LOGIN"
// matches "login") and splitting into words. Unicode's own tables come from utf8proc rather
// than a hand-written table, which would cover one alphabet and drift from the standard.
// Pure functions: text from anyone may be invalid UTF-8, and that is never an error here;
// the invalid bytes are dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tb {

// `utf8` without the bytes that are not part of a well-formed UTF-8 character (stray or
// truncated sequences, overlong forms, UTF-16 surrogates, code points past U+10FFFF).
std::string valid_utf8(std::string_view utf8);

// The longest start of `utf8` that is at most `max_bytes` long and does not end inside a
// character: for cutting text to a byte limit.
std::string_view utf8_prefix(std::string_view utf8, std::size_t max_bytes);

// The case-folded form (Unicode full case folding, then NFC): two texts that differ only in
// case fold to the same string ("Straße" and "STRASSE" to "strasse", "ЁЖ" to "ёж").
// For comparison only, never for display.
std::string fold_case(std::string_view utf8);

// The words of `utf8`: the runs between whitespace (Unicode separators) and control
// characters, NUL included. Empty when the text holds nothing else.
std::vector<std::string> split_words(std::string_view utf8);

}  // namespace tb
