#include "core/text.hpp"

#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <utf8proc.h>

namespace tb {
namespace {

bool separates_words(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_CC:  // controls: C0, DEL, C1 (NUL, tab, newlines, NEL, ...)
    case UTF8PROC_CATEGORY_ZS:  // spaces, incl. no-break and ideographic
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: return true;
    default: return false;
  }
}

}  // namespace

std::string valid_utf8(std::string_view utf8) {
  std::string valid;
  valid.reserve(utf8.size());
  for_each_character(utf8, [&](utf8proc_int32_t, std::string_view bytes) { valid += bytes; });
  return valid;
}

std::string fold_case(std::string_view utf8) {
  const std::string valid = valid_utf8(utf8);
  if (valid.empty()) return valid;
  utf8proc_uint8_t* folded = nullptr;
  const auto length = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
      static_cast<utf8proc_ssize_t>(valid.size()), &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(folded, &std::free);
  if (length == UTF8PROC_ERROR_NOMEM) throw std::bad_alloc();
  // The input is valid UTF-8 by now, so any other error is a bug, not bad input.
  if (length < 0) throw std::logic_error(std::string("fold_case: ") + utf8proc_errmsg(length));
  return std::string(reinterpret_cast<const char*>(folded), static_cast<std::size_t>(length));
}

std::vector<std::string> split_words(std::string_view utf8) {
  std::vector<std::string> words;
  std::string word;
  for_each_character(utf8, [&](utf8proc_int32_t code_point, std::string_view bytes) {
    if (!separates_words(code_point)) {
      word += bytes;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  });
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string_view utf8_prefix(std::string_view utf8, std::size_t max_bytes) {
  if (utf8.size() <= max_bytes) return utf8;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
  return utf8.substr(0, end);
}

}  // namespace tb
