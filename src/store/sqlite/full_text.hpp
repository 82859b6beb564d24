// The FTS5 query for a caller's search text. SQLite-specific; lives only in store/sqlite.
#pragma once

#include <string>
#include <string_view>

namespace tb::store::sqlite {

// The caller's words as an FTS5 query: each word a quoted string (so operators and quotes
// in the input are plain text), all of them required. Words are split at whitespace and
// control characters, NUL included (FTS5 reads its query up to a NUL and would then find an
// unterminated string), and bytes that are not UTF-8 are dropped. Text with no word left
// gives "", which the caller must treat as no text filter: FTS5 refuses an empty query.
std::string fts_query(std::string_view text);

}  // namespace tb::store::sqlite
