#include "core/encoding.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tb {
namespace {

TEST(Encoding, Base64UrlRoundTripsWithoutPadding) {
  for (const std::string& bytes :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", std::string("\xff\xfe\x00\x01", 4)}) {
    const auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), bytes);
  }
  EXPECT_EQ(base64url_decode("a+b/"), std::nullopt);
  EXPECT_EQ(base64url_decode("a"), std::nullopt);
}

TEST(Encoding, Base64UrlRefusesPaddingAndNonCanonicalSpellings) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64url_decode("-_8="), std::nullopt) << "padding";
  EXPECT_EQ(base64url_decode("-_9"), std::nullopt) << "stray bits in the last character";
}

TEST(Encoding, HexRoundTripsInLowerCase) {
  const std::string bytes("\x00\x7f\x80\xff", 4);
  EXPECT_EQ(to_hex(bytes), "007f80ff");
  EXPECT_EQ(from_hex("007f80ff"), bytes);
  EXPECT_EQ(from_hex("007F80FF"), bytes) << "upper case is read too";
  EXPECT_EQ(from_hex(""), "");
}

TEST(Encoding, HexRefusesOddLengthsAndOtherCharacters) {
  EXPECT_EQ(from_hex("abc"), std::nullopt);
  EXPECT_EQ(from_hex("zz"), std::nullopt);
  EXPECT_EQ(from_hex("+1"), std::nullopt);
  EXPECT_EQ(from_hex("0x"), std::nullopt);
}

}  // namespace
}  // namespace tb
