// What a person typed into the ticket search, taken apart into what to look for: a ticket
// number ("106", "#106"), customers' usernames ("@olivia"), and words, each matched as a prefix
// (so "cra" finds "crashes" while it is being typed) of itself or of its stem (so «оплатой»
// finds «оплата» and «оплату»). Stems come from Snowball (Debian's libstemmer): Russian for
// Cyrillic words, English (Porter 2) for Latin ones. Pure: no query syntax is made here; each
// store writes its own from these parts, so nothing a person types is ever syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

// One word of the search: it matches a text holding a word that begins with any of
// `prefixes` (case-folded; the word itself, or its stem when the stem is not a start of it, or
// only the stem when it is, since that covers the word too).
struct SearchWord {
  std::vector<std::string> prefixes;
};

struct TicketSearch {
  std::optional<std::int64_t> ticket_id;  // the whole text was a number: that ticket ranks first
  std::vector<SearchWord> words;          // every one must match
  std::vector<std::string> usernames;     // "@name": the creator's username begins with it (folded)

  bool empty() const { return !ticket_id && words.empty() && usernames.empty(); }
};

// At most this many words and usernames are used; the rest of a longer text is ignored.
inline constexpr std::size_t kMaxSearchWords = 12;

// `text` taken apart. Words are the runs of letters and digits (as SQLite's unicode61 tokenizer
// has them), case-folded; everything else separates them. `with_usernames`: whether "@name"
// means a username (for staff, who search customers) or is just the word "name".
TicketSearch parse_ticket_search(std::string_view text, bool with_usernames);

// The Snowball stem of a case-folded word (Russian for a Cyrillic word, English for a Latin
// one), or the word itself in any other script, or when it is mixed.
std::string stem_word(std::string_view folded_word);

}  // namespace tb
