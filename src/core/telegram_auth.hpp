// Telegram's proofs of identity, checked exactly as TELEGRAM.md describes: Mini App initData
// (HMAC-SHA256 with the bot token, or Ed25519 with Telegram's public key for deployments
// that hold only the bot id) and the Login Widget. Pure functions: the caller passes "now".
// Every failure throws tb::Error(unauthorized) with a message that names the problem but
// never echoes secrets.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb {

struct TelegramUser {
  std::int64_t id = 0;
  std::string first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> username;
  std::optional<std::string> language_code;
};

struct InitData {
  TelegramUser user;
  std::chrono::sys_seconds auth_date;
  std::optional<std::string> start_param;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

struct FreshnessPolicy {
  std::chrono::sys_seconds now;
  std::chrono::seconds max_age;
  std::chrono::seconds allowed_skew{60};  // auth_date this far in the future still passes
};

// The pairs of a raw initData string, percent-decoded ('+' stays '+'). Refuses duplicate
// keys and malformed escapes.
Fields parse_init_data(std::string_view raw);

// "key=value" lines sorted by key, joined with '\n', leaving out `hash` (and `signature`
// too when `include_signature` is false).
std::string data_check_string(const Fields& fields, bool include_signature);

// Mini App initData signed with HMAC-SHA256 keyed by HMAC("WebAppData", bot_token).
InitData validate_init_data(std::string_view raw, std::string_view bot_token,
                            const FreshnessPolicy& freshness);

// Mini App initData checked with Telegram's Ed25519 `signature` instead of the bot token.
InitData validate_init_data_ed25519(std::string_view raw, std::int64_t bot_id,
                                    std::string_view public_key_hex,
                                    const FreshnessPolicy& freshness);

// Login Widget fields (id, first_name, …, auth_date, hash), keyed by SHA256(bot_token).
TelegramUser validate_login_widget(const Fields& fields, std::string_view bot_token,
                                   const FreshnessPolicy& freshness);

// Telegram's Ed25519 public keys (TELEGRAM.md).
inline constexpr std::string_view kTelegramProductionPublicKey =
    "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d";
inline constexpr std::string_view kTelegramTestPublicKey =
    "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec";

}  // namespace tb
