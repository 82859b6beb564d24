#include "core/search.hpp"

#include <charconv>
#include <libstemmer.h>
#include <memory>
#include <utf8proc.h>

#include "core/text.hpp"

namespace tb {
namespace {

// The characters SQLite's unicode61 tokenizer keeps in a token (its default categories
// "L* N* Co"); every other one separates tokens. Splitting the same way means each of our
// words is exactly one token to FTS5, never a phrase of several or an empty one.
bool is_token_character(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_CO: return true;
    default: return false;
  }
}

std::vector<std::string> tokens_of(std::string_view folded) {
  std::vector<std::string> tokens;
  std::string token;
  for_each_character(folded, [&](utf8proc_int32_t code_point, std::string_view bytes) {
    if (is_token_character(code_point)) {
      token += bytes;
    } else if (!token.empty()) {
      tokens.push_back(std::move(token));
      token.clear();
    }
  });
  if (!token.empty()) tokens.push_back(std::move(token));
  return tokens;
}

enum class Script { none, latin, cyrillic };

// The script a word is written in, when it is one Snowball has a stemmer for and the word is
// only letters of it (a word with digits or of two scripts is an identifier, not a word form).
Script script_of(std::string_view word) {
  bool latin = false;
  bool cyrillic = false;
  bool other = false;
  for_each_character(word, [&](utf8proc_int32_t c, std::string_view) {
    if ((c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0x24F && c != 0xF7)) {
      latin = true;
    } else if (c >= 0x400 && c <= 0x52F) {
      cyrillic = true;
    } else {
      other = true;
    }
  });
  if (other || latin == cyrillic) return Script::none;
  return latin ? Script::latin : Script::cyrillic;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};
using Stemmer = std::unique_ptr<sb_stemmer, StemmerDeleter>;

// A Snowball stemmer keeps its working state inside, so one may not serve two threads at
// once: each thread has its own (made on first use, a few hundred bytes).
sb_stemmer* stemmer_for(Script script) {
  thread_local Stemmer english(sb_stemmer_new("english", "UTF_8"));
  thread_local Stemmer russian(sb_stemmer_new("russian", "UTF_8"));
  return script == Script::latin ? english.get() : russian.get();
}

std::size_t code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (const char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// A stem shorter than this would match too much as a prefix ("ru" for «руки»): the word
// itself is used then.
constexpr std::size_t kMinStemLength = 3;

SearchWord search_word(std::string token) {
  std::string stem = stem_word(token);
  SearchWord word;
  if (stem == token || code_points(stem) < kMinStemLength) {
    word.prefixes.push_back(std::move(token));
  } else if (token.starts_with(stem)) {
    word.prefixes.push_back(std::move(stem));  // its prefixes include the word's
  } else {
    // Porter 2 rewrites as well as cuts ("happy" → "happi"): both, so the typed form matches.
    word.prefixes.push_back(std::move(token));
    word.prefixes.push_back(std::move(stem));
  }
  return word;
}

std::optional<std::int64_t> ticket_number(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  if (text.starts_with('#')) text.remove_prefix(1);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number <= 0) return std::nullopt;
  return number;
}

}  // namespace

std::string stem_word(std::string_view folded_word) {
  const Script script = script_of(folded_word);
  if (script == Script::none) return std::string(folded_word);
  sb_stemmer* stemmer = stemmer_for(script);
  if (!stemmer) return std::string(folded_word);  // out of memory making it: no stemming
  const sb_symbol* stem =
      sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(folded_word.data()),
                      static_cast<int>(folded_word.size()));
  if (!stem) return std::string(folded_word);
  return std::string(reinterpret_cast<const char*>(stem),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer)));
}

TicketSearch parse_ticket_search(std::string_view text, bool with_usernames) {
  TicketSearch search;
  search.ticket_id = ticket_number(text);
  for (const auto& piece : split_words(text)) {
    if (search.words.size() + search.usernames.size() >= kMaxSearchWords) break;
    const std::string folded = fold_case(piece);
    if (with_usernames && folded.size() > 1 && folded.front() == '@') {
      search.usernames.push_back(folded.substr(1));
      continue;
    }
    for (auto& token : tokens_of(folded)) {
      if (search.words.size() + search.usernames.size() >= kMaxSearchWords) break;
      search.words.push_back(search_word(std::move(token)));
    }
  }
  return search;
}

}  // namespace tb
