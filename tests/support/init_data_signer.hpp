// Builds Telegram Mini App initData signed with a bot token, the way Telegram does, so tests
// can log in as anyone they like. Header-only; needs OpenSSL.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace tb::testing {

inline std::string hmac_sha256_bytes(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

inline std::string hex_of(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xF];
  }
  return hex;
}

// Percent-encodes everything but unreserved characters (as URLSearchParams would, with %20).
inline std::string percent_encode(const std::string& text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kDigits[c >> 4];
      encoded += kDigits[c & 0xF];
    }
  }
  return encoded;
}

using InitDataFields = std::vector<std::pair<std::string, std::string>>;

// Signs decoded `fields` with `bot_token` and returns the raw initData string.
inline std::string sign_init_data(InitDataFields fields, const std::string& bot_token) {
  auto sorted = fields;
  std::sort(sorted.begin(), sorted.end());
  std::string check;
  for (const auto& [key, value] : sorted) check += (check.empty() ? "" : "\n") + key + "=" + value;
  const std::string secret = hmac_sha256_bytes("WebAppData", bot_token);
  fields.emplace_back("hash", hex_of(hmac_sha256_bytes(secret, check)));
  std::string raw;
  for (const auto& [key, value] : fields) {
    raw += (raw.empty() ? "" : "&") + percent_encode(key) + "=" + percent_encode(value);
  }
  return raw;
}

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// initData for a Telegram user signed now.
inline std::string init_data_for(std::int64_t telegram_id, const std::string& first_name,
                                 const std::string& bot_token,
                                 std::int64_t auth_date = unix_now()) {
  const std::string user = "{\"id\":" + std::to_string(telegram_id) + ",\"first_name\":\"" +
                           first_name + "\",\"language_code\":\"en\"}";
  return sign_init_data(
      {{"query_id", "AAH-test"}, {"user", user}, {"auth_date", std::to_string(auth_date)}},
      bot_token);
}

}  // namespace tb::testing
