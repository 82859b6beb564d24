// Full-text search over tickets (issue 12): whatever text a caller types is either no filter
// or a match, never an FTS5 syntax error. That no text ever reaches FTS5 as syntax through
// Store::list_tickets is pinned by the store contract suite (store_contract_test.cpp:
// SearchTextIsNeverSyntax, FiveThousandRandomQueriesNeverThrow); these tests pin how SQLite's
// quoting (fts_query) does it.
#include <gtest/gtest.h>

#include "store/sqlite/full_text.hpp"

namespace tb::store::sqlite {
namespace {

using namespace std::string_literals;

TEST(FtsQuery, QuotesEveryWordSoOperatorsAndQuotesAreText) {
  EXPECT_EQ(fts_query("vat number"), R"("vat" "number")");
  EXPECT_EQ(fts_query(R"q(" OR * NEAR(a b) x:y -z ^w)q"),
            R"q("""" "OR" "*" "NEAR(a" "b)" "x:y" "-z" "^w")q");
}

TEST(FtsQuery, SplitsWordsAtWhitespaceAndControlCharacters) {
  EXPECT_EQ(fts_query("a\0b"s), R"("a" "b")");
  EXPECT_EQ(fts_query("\ta\x01\x1f\x7f"
                      "b\r\n"),
            R"("a" "b")");
  EXPECT_EQ(fts_query("a\u00a0b\u3000c\u2028d\u0085e"), R"("a" "b" "c" "d" "e")");
  EXPECT_EQ(fts_query("пароль забыл"), R"("пароль" "забыл")");
}

TEST(FtsQuery, BlankOrControlOnlyTextIsNoQuery) {
  EXPECT_EQ(fts_query(""), "");
  EXPECT_EQ(fts_query(" \t\n\r\v\f"), "");
  EXPECT_EQ(fts_query("\0"s), "");
  EXPECT_EQ(fts_query("\0\x01\x1b\x7f\u0080\u009f\u3000"s), "");
}

TEST(FtsQuery, InvalidUtf8BytesAreDropped) {
  EXPECT_EQ(fts_query("\xff"), "");
  EXPECT_EQ(fts_query("\xc3"), "");
  EXPECT_EQ(fts_query("pri\xffnter"), R"("printer")");
  EXPECT_EQ(fts_query("\xed\xa0\x80word \xc0\xafx"), R"("word" "x")");  // surrogate, overlong
  EXPECT_EQ(fts_query("\xd0\xbf\xd0"), R"("п")");                       // cut short
}

}  // namespace
}  // namespace tb::store::sqlite
