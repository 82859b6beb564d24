// Unicode rules for people's text: case folding (so «ПАРОЛЬ» matches «пароль» as "LOGIN"
// matches "login") and splitting into words. Unicode's own tables come from utf8proc rather
// than a hand-written table, which would cover one alphabet and drift from the standard.
// Pure functions: text from anyone may be invalid UTF-8, and that is never an error here;
// the invalid bytes are dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utf8proc.h>
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

// Calls `on_character(code_point, bytes)` for each well-formed character of `utf8`, in order,
// skipping an invalid sequence one byte at a time.
template <class OnCharacter>
void for_each_character(std::string_view utf8, OnCharacter on_character) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  std::size_t at = 0;
  while (at < utf8.size()) {
    utf8proc_int32_t code_point = 0;
    const auto length =
        utf8proc_iterate(bytes + at, static_cast<utf8proc_ssize_t>(utf8.size() - at), &code_point);
    if (length <= 0) {
      ++at;
      continue;
    }
    on_character(code_point, utf8.substr(at, static_cast<std::size_t>(length)));
    at += static_cast<std::size_t>(length);
  }
}

}  // namespace tb
