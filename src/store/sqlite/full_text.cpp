#include "store/sqlite/full_text.hpp"

#include "core/text.hpp"

namespace tb::store::sqlite {

std::string fts_query(std::string_view text) {
  std::string query;
  for (const auto& word : split_words(text)) {
    if (!query.empty()) query += ' ';
    query += '"';
    for (char c : word) {
      if (c == '"') query += '"';  // a quote inside a string is written twice
      query += c;
    }
    query += '"';
  }
  return query;
}

}  // namespace tb::store::sqlite
