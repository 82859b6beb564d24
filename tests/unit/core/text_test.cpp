#include "core/text.hpp"

#include <gtest/gtest.h>

namespace tb {
namespace {

using namespace std::string_literals;

TEST(FoldCase, LatinFoldsToLowerCase) {
  EXPECT_EQ(fold_case("Forgot my PASSWORD"), "forgot my password");
  EXPECT_EQ(fold_case("Zelda"), fold_case("ZELDA"));
  EXPECT_EQ(fold_case(""), "");
}

TEST(FoldCase, CyrillicFoldsIncludingYo) {
  EXPECT_EQ(fold_case("Забыл ПАРОЛЬ"), "забыл пароль");
  EXPECT_EQ(fold_case("ЖАННА"), "жанна");
  EXPECT_EQ(fold_case("Ёлка ЁЖ ё"), "ёлка ёж ё");
  EXPECT_EQ(fold_case("ЇЖАК ҐАНОК Ў"), "їжак ґанок ў");  // Ukrainian and Belarusian letters
}

TEST(FoldCase, SharpSFoldsToSsAndGreekSigmasAgree) {
  EXPECT_EQ(fold_case("Straße"), "strasse");
  EXPECT_EQ(fold_case("STRASSE"), fold_case("straße"));
  EXPECT_EQ(fold_case("ΟΔΥΣΣΕΥΣ"), fold_case("Οδυσσευς"));
  EXPECT_EQ(fold_case("ΟΔΥΣΣΕΥΣ"), fold_case("οδυσσευς"));  // final ς and σ fold alike
  EXPECT_EQ(fold_case("ΑΒΓ"), "αβγ");
}

TEST(FoldCase, ComposesSoDecomposedAndPrecomposedLettersAgree) {
  EXPECT_EQ(fold_case("E\u0301"), "\u00e9");       // E + combining acute → é
  EXPECT_EQ(fold_case("\u0415\u0308"), "\u0451");  // Е + combining diaeresis → ё
}

TEST(FoldCase, InvalidUtf8IsDroppedNotThrown) {
  EXPECT_NO_THROW(fold_case("\xff\xfe"));
  EXPECT_EQ(fold_case("\xff"), "");
  EXPECT_EQ(fold_case("AB\xc3"
                      "C"),
            "abc");
  EXPECT_EQ(fold_case("\xed\xa0\x80X"), "x");  // a UTF-16 surrogate is not UTF-8
  EXPECT_EQ(fold_case("\xd0\x96\xd0"), "ж");   // cut off in the middle of a character
  EXPECT_EQ(fold_case("a\0B"s), "a\0b"s);      // NUL is a character, kept
  for (int byte = 0; byte < 256; ++byte) {
    EXPECT_NO_THROW(fold_case(std::string(3, static_cast<char>(byte)))) << byte;
  }
}

TEST(SplitWords, SplitsAtWhitespaceAndControlCharacters) {
  EXPECT_EQ(split_words("  one two\tthree\n"), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(split_words("a\0b\x01"
                        "c\x7f"
                        "d"s),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(split_words("а\u00a0б\u3000в\u2029г"), (std::vector<std::string>{"а", "б", "в", "г"}));
  EXPECT_EQ(split_words("x\u0085y\u009fz"), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(split_words(" \t\r\n\0"s).empty());
  EXPECT_EQ(split_words("\"quoted\" (a*)"), (std::vector<std::string>{"\"quoted\"", "(a*)"}));
}

TEST(SplitWords, DropsInvalidUtf8Bytes) {
  EXPECT_TRUE(split_words("\xff\xfe\xc3").empty());
  EXPECT_EQ(split_words("pri\xffnter \xc0\xaf"), (std::vector<std::string>{"printer"}));
}

TEST(Text, Utf8PrefixNeverEndsInsideACharacter) {
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
  EXPECT_EQ(utf8_prefix("abcdef", 3), "abc");
  EXPECT_EQ(utf8_prefix("жжж", 3), "ж");  // 2 bytes each: the 3rd byte starts the second one
  EXPECT_EQ(utf8_prefix("жжж", 4), "жж");
  EXPECT_EQ(utf8_prefix("😀x", 3), "");  // a 4-byte character does not fit
}

}  // namespace
}  // namespace tb
