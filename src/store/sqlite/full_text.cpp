#include "store/sqlite/full_text.hpp"

namespace tb::store::sqlite {
namespace {

struct IndexedColumn {
  std::string_view insert_new_rows;
  std::string_view mark_indexed;
};

constexpr IndexedColumn kIndexedColumns[] = {
    {R"sql(INSERT INTO tickets_fts (rowid, subject)
           SELECT id, subject FROM tickets WHERE id >
             (SELECT indexed_through FROM search_index_progress WHERE name = 'tickets'))sql",
     R"sql(UPDATE search_index_progress SET indexed_through = (SELECT max(id) FROM tickets)
           WHERE name = 'tickets')sql"},
    {R"sql(INSERT INTO messages_fts (rowid, body)
           SELECT id, body FROM messages WHERE id >
             (SELECT indexed_through FROM search_index_progress WHERE name = 'messages'))sql",
     R"sql(UPDATE search_index_progress SET indexed_through = (SELECT max(id) FROM messages)
           WHERE name = 'messages')sql"},
};

}  // namespace

void index_new_rows(Connection& connection) {
  for (const auto& column : kIndexedColumns) {
    connection.prepare(column.insert_new_rows).step();
    if (connection.changes() > 0) connection.prepare(column.mark_indexed).step();
  }
}

std::string fts_word_query(const SearchWord& word) {
  std::string query;
  for (const auto& prefix : word.prefixes) {
    if (!query.empty()) query += " OR ";
    query += '"';
    for (char c : prefix) {
      if (c == '"') query += '"';  // a quote inside a string is written twice
      query += c;
    }
    query += "\"*";
  }
  return word.prefixes.size() > 1 ? "(" + query + ")" : query;
}

std::string fts_all_words_query(const std::vector<SearchWord>& words) {
  std::string query;
  for (const auto& word : words) {
    if (!query.empty()) query += ' ';
    query += fts_word_query(word);
  }
  return query;
}

}  // namespace tb::store::sqlite
