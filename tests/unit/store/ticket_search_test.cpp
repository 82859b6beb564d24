// Ticket search (issues 12 and 17): what a person types is taken apart into a ticket number,
// usernames and words (core/search.hpp), each word a prefix of itself or of its Snowball stem,
// and SQLite's FTS5 query is made of quoted strings only (full_text.cpp), so no text is ever
// syntax. That Store::list_tickets never fails on any text, and what the parts find, is pinned
// by the store contract suite (store_contract_test.cpp).
#include <gtest/gtest.h>

#include "core/search.hpp"
#include "store/sqlite/full_text.hpp"

namespace tb {
namespace {

using namespace std::string_literals;
using Prefixes = std::vector<std::string>;

std::vector<Prefixes> words_of(const TicketSearch& search) {
  std::vector<Prefixes> words;
  for (const auto& word : search.words) words.push_back(word.prefixes);
  return words;
}

std::vector<Prefixes> words_of(std::string_view text) {
  return words_of(parse_ticket_search(text, true));
}

TEST(TicketSearch, WordsAreCaseFoldedRunsOfLettersAndDigits) {
  EXPECT_EQ(words_of("VAT 42"), (std::vector<Prefixes>{{"vat"}, {"42"}}));
  EXPECT_EQ(words_of(R"q(" OR * NEAR(a b) x:y -z ^w)q"),
            (std::vector<Prefixes>{{"or"}, {"near"}, {"a"}, {"b"}, {"x"}, {"y"}, {"z"}, {"w"}}));
  EXPECT_EQ(words_of("a\0b"s), (std::vector<Prefixes>{{"a"}, {"b"}}));
  EXPECT_EQ(words_of("a\u00a0b\u3000c"), (std::vector<Prefixes>{{"a"}, {"b"}, {"c"}}));
  EXPECT_EQ(words_of("打印机"), (std::vector<Prefixes>{{"打印机"}}));
  EXPECT_EQ(words_of("pri\xffnter"), (std::vector<Prefixes>{{"printer"}}))
      << "bytes that are not UTF-8 are dropped";
}

TEST(TicketSearch, TextWithoutLettersOrDigitsIsNoSearch) {
  for (const auto& text : {""s, " \t\n"s, "\0"s, "*"s, "\"\""s, "()"s, "🔥"s, "\xff\xfe"s, "-"s}) {
    SCOPED_TRACE(::testing::PrintToString(text));
    EXPECT_TRUE(parse_ticket_search(text, true).empty());
  }
}

TEST(TicketSearch, WordsMatchByTheirSnowballStemInRussianAndEnglish) {
  // Russian: every case of «оплата» comes down to one stem, a start of each form.
  for (const auto* form : {"оплата", "оплату", "оплатой", "ОПЛАТЫ", "оплате"}) {
    SCOPED_TRACE(form);
    EXPECT_EQ(words_of(form), (std::vector<Prefixes>{{"оплат"}}));
  }
  EXPECT_EQ(words_of("crashes"), (std::vector<Prefixes>{{"crash"}}));
  EXPECT_EQ(words_of("Refunds"), (std::vector<Prefixes>{{"refund"}}));
  // Porter 2 rewrites "y" to "i": the typed form is kept beside the stem.
  EXPECT_EQ(words_of("happy"), (std::vector<Prefixes>{{"happy", "happi"}}));
  EXPECT_EQ(words_of("cra"), (std::vector<Prefixes>{{"cra"}})) << "a start being typed";
  EXPECT_EQ(words_of("crash2"), (std::vector<Prefixes>{{"crash2"}})) << "not a word form";
}

TEST(TicketSearch, ANumberAloneIsATicketNumber) {
  EXPECT_EQ(parse_ticket_search("106", false).ticket_id, 106);
  EXPECT_EQ(parse_ticket_search(" #106 ", false).ticket_id, 106);
  EXPECT_EQ(words_of("#106"), (std::vector<Prefixes>{{"106"}})) << "and a word, for subjects";
  EXPECT_FALSE(parse_ticket_search("invoice 106", false).ticket_id);
  EXPECT_FALSE(parse_ticket_search("#", false).ticket_id);
  EXPECT_FALSE(parse_ticket_search("0", false).ticket_id);
  EXPECT_FALSE(parse_ticket_search("99999999999999999999", false).ticket_id);
  EXPECT_FALSE(parse_ticket_search("12a", false).ticket_id);
}

TEST(TicketSearch, AnAtWordIsAUsernameOnlyWhenPeopleAreSearched) {
  const auto staff = parse_ticket_search("@Olivia_K printer", true);
  EXPECT_EQ(staff.usernames, std::vector<std::string>{"olivia_k"});
  EXPECT_EQ(words_of(staff), (std::vector<Prefixes>{{"printer"}}));
  const auto customer = parse_ticket_search("@Olivia_K", false);
  EXPECT_TRUE(customer.usernames.empty());
  EXPECT_EQ(words_of(customer), (std::vector<Prefixes>{{"olivia"}, {"k"}}));
}

TEST(TicketSearch, AtMostTwelveWordsAreUsed) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "w" + std::to_string(i) + " ";
  EXPECT_EQ(parse_ticket_search(text, true).words.size(), kMaxSearchWords);
}

TEST(FtsQuery, EachPrefixIsAQuotedStringWithAStar) {
  using store::sqlite::fts_all_words_query;
  using store::sqlite::fts_word_query;
  EXPECT_EQ(fts_word_query(SearchWord{{"cra"}}), R"("cra"*)");
  EXPECT_EQ(fts_word_query(SearchWord{{"happy", "happi"}}), R"(("happy"* OR "happi"*))");
  EXPECT_EQ(fts_word_query(SearchWord{{"a\"b"}}), R"("a""b"*)") << "a quote is doubled";
  EXPECT_EQ(fts_all_words_query({SearchWord{{"vat"}}, SearchWord{{"happy", "happi"}}}),
            R"("vat"* ("happy"* OR "happi"*))");
  EXPECT_EQ(fts_all_words_query({}), "");
}

}  // namespace
}  // namespace tb
