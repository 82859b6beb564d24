#include "telegram/texts.hpp"

#include <gtest/gtest.h>

#include "telegram/links.hpp"

namespace tb::telegram {
namespace {

TEST(BotTexts, HtmlIsEscapedAndInvalidUtf8Dropped) {
  EXPECT_EQ(escape_html("a < b && c > \"d\""), "a &lt; b &amp;&amp; c &gt; &quot;d&quot;");
  EXPECT_EQ(escape_html("ok\xff\xfe!"), "ok!");
  EXPECT_EQ(escape_html("привет"), "привет");
}

TEST(BotTexts, LengthCountsUtf16UnitsLikeTelegram) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("привет"), 6u);  // 12 bytes, 6 units
  EXPECT_EQ(utf16_length("😀"), 2u);       // 4 bytes, a surrogate pair
}

TEST(BotTexts, AShortMessageIsOneMessageWithItsHeader) {
  const auto parts = compose_messages("<b>#1</b>\n", "hello <world>");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], "<b>#1</b>\nhello &lt;world&gt;");
}

TEST(BotTexts, ALongBodyIsCutAtSpacesWithinTheLimitAndLosesNothing) {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "word" + std::to_string(i) + " ";
  const auto parts = compose_messages("<b>head</b>\n", body, 4096);
  ASSERT_GE(parts.size(), 4u);
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_LE(utf16_length(parts[i]), 4096u) << i;
    joined += i == 0 ? parts[i].substr(std::string("<b>head</b>\n").size()) : parts[i];
    if (i + 1 < parts.size()) {
      EXPECT_EQ(parts[i].back(), ' ') << "cut inside a word: " << i;
    }
  }
  EXPECT_EQ(joined, body);
}

TEST(BotTexts, EscapesAndCharactersAreNeverCut) {
  // 5,000 '&' escape to 25,000 units; cyrillic and emoji must stay whole too.
  for (const std::string unit : {"&", "ж", "😀"}) {
    std::string body;
    for (int i = 0; i < 5000; ++i) body += unit;
    const auto parts = compose_messages("", body, 4096);
    std::string joined;
    for (const auto& part : parts) {
      EXPECT_LE(utf16_length(part), 4096u);
      joined += part;
    }
    EXPECT_EQ(joined, escape_html(body)) << unit;
  }
}

TEST(BotTexts, AHeaderAloneIsOneMessage) {
  const auto parts = compose_messages("<b>Status</b>", "");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], "<b>Status</b>");
}

TEST(BotTexts, RussianForRussianReadersEnglishOtherwise) {
  EXPECT_EQ(language_of(std::string("ru")), Language::ru);
  EXPECT_EQ(language_of(std::string("uk")), Language::ru);
  EXPECT_EQ(language_of(std::string("en-GB")), Language::en);
  EXPECT_EQ(language_of(std::nullopt), Language::en);
  EXPECT_NE(phrase(Language::ru, Phrase::welcome), phrase(Language::en, Phrase::welcome));
}

TEST(BotTexts, EveryPhraseExistsInBothLanguages) {
  for (int i = 0; i <= static_cast<int>(Phrase::app_unavailable); ++i) {
    EXPECT_FALSE(phrase(Language::en, static_cast<Phrase>(i)).empty()) << i;
    EXPECT_FALSE(phrase(Language::ru, static_cast<Phrase>(i)).empty()) << i;
  }
}

TEST(BotTexts, ErrorsAreTranslatedNeverTheServersEnglish) {
  EXPECT_EQ(error_text(Language::ru, ErrorCode::forbidden),
            phrase(Language::ru, Phrase::not_allowed));
  EXPECT_NE(error_text(Language::ru, ErrorCode::not_found),
            error_text(Language::en, ErrorCode::not_found));
}

TEST(BotLinks, TheAppOpensAtATicketByWebAppInPrivateAndByLinkInGroups) {
  AppLinks links("https://example.org/app/");
  const auto private_button = links.app_button("Open", "ticket_42", true);
  ASSERT_TRUE(private_button);
  EXPECT_EQ(private_button->at("web_app").as_object().at("url").as_string(),
            "https://example.org/app/?startapp=ticket_42");
  EXPECT_FALSE(links.app_button("Open", "ticket_42", false)) << "no username known yet";
  links.set_bot_username("support_bot");
  const auto group_button = links.app_button("Open", "ticket_42", false);
  ASSERT_TRUE(group_button);
  EXPECT_EQ(group_button->at("url").as_string(), "https://t.me/support_bot?startapp=ticket_42");
  EXPECT_FALSE(AppLinks("").app_button("Open", "", true)) << "no WEBAPP_URL, no button";
}

TEST(BotLinks, KeyboardsDropEmptyRows) {
  EXPECT_EQ(inline_keyboard({{}, {}}), "");
  EXPECT_EQ(inline_keyboard({{callback_button("Take", "take:1")}, {}}),
            R"({"inline_keyboard":[[{"text":"Take","callback_data":"take:1"}]]})");
}

}  // namespace
}  // namespace tb::telegram
