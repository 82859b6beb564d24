// Full-text search in SQLite (FTS5): the query for a caller's search text, and the indexing
// of new rows. SQLite-specific; lives only in store/sqlite.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/search.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// One search word (core/search.hpp) as an FTS5 query: each of its prefixes a quoted string
// followed by `*` (a prefix query), joined by OR. The prefixes are runs of token characters
// only, and quoted besides, so nothing a person types is ever FTS5 syntax.
std::string fts_word_query(const SearchWord& word);

// Every one of `words` (FTS5's implicit AND between them); "" for none, which the caller must
// not pass to MATCH (FTS5 refuses an empty query).
std::string fts_all_words_query(const std::vector<SearchWord>& words);

// Adds the tickets' subjects and the messages' bodies written since the last call to their
// full-text indexes. The write queue calls it once per group commit, just before COMMIT:
// indexing row by row from triggers made FTS5 write a segment per row (see migration 0010).
void index_new_rows(Connection& connection);

}  // namespace tb::store::sqlite
