// Full-text search in SQLite (FTS5): the query for a caller's search text, and the indexing
// of new rows. SQLite-specific; lives only in store/sqlite.
#pragma once

#include <string>
#include <string_view>

#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// The caller's words as an FTS5 query: each word a quoted string (so operators and quotes
// in the input are plain text), all of them required. Words are split at whitespace and
// control characters, NUL included (FTS5 reads its query up to a NUL and would then find an
// unterminated string), and bytes that are not UTF-8 are dropped. Text with no word left
// gives "", which the caller must treat as no text filter: FTS5 refuses an empty query.
std::string fts_query(std::string_view text);

// Adds the tickets' subjects and the messages' bodies written since the last call to their
// full-text indexes. The write queue calls it once per group commit, just before COMMIT:
// indexing row by row from triggers made FTS5 write a segment per row (see migration 0010).
void index_new_rows(Connection& connection);

}  // namespace tb::store::sqlite
