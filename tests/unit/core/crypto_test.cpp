#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include "core/encoding.hpp"

namespace tb {
namespace {

TEST(Crypto, Sha256MatchesTheStandardsTestVector) {
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256MatchesTheRfc4231TestVector) {
  // RFC 4231, test case 2.
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, ConstantTimeEqualComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("secret", ""));
}

TEST(Crypto, Ed25519RefusesMalformedKeysAndSignatures) {
  EXPECT_FALSE(verify_ed25519("short", "message", std::string(64, '\0')));
  EXPECT_FALSE(verify_ed25519(std::string(32, '\1'), "message", "short"));
}

TEST(Crypto, RandomBytesHaveTheAskedLengthAndDiffer) {
  const auto first = random_bytes(32);
  EXPECT_EQ(first.size(), 32u);
  EXPECT_NE(first, random_bytes(32));
  EXPECT_TRUE(random_bytes(0).empty());
}

}  // namespace
}  // namespace tb
