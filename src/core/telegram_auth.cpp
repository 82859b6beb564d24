#include "core/telegram_auth.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/url/parse_query.hpp>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"

namespace tb {
namespace {

[[noreturn]] void refuse(const std::string& why) {
  throw Error(ErrorCode::unauthorized, why);
}

const std::string* find(const Fields& fields, std::string_view key) {
  for (const auto& [name, value] : fields) {
    if (name == key) return &value;
  }
  return nullptr;
}

const std::string& require(const Fields& fields, std::string_view key) {
  const std::string* value = find(fields, key);
  if (!value) refuse("initData has no " + std::string(key));
  return *value;
}

std::int64_t parse_int64(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    refuse("malformed " + std::string(what));
  }
  return value;
}

// a + b, or the int64 bound it would pass.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return sum;
}

// auth_date is the caller's and may be any int64, so it is compared with bounds worked out
// from the clock, never subtracted from it (`now - INT64_MIN` overflows and once let such a
// date pass as fresh).
std::chrono::sys_seconds check_freshness(const Fields& fields, const FreshnessPolicy& freshness) {
  const std::int64_t auth_date = parse_int64(require(fields, "auth_date"), "auth_date");
  const std::int64_t now = freshness.now.time_since_epoch().count();
  if (auth_date > saturating_add(now, freshness.allowed_skew.count())) {
    refuse("auth_date is in the future");
  }
  if (freshness.max_age.count() < 0 ||
      auth_date < saturating_add(now, -freshness.max_age.count())) {
    refuse("auth_date is too old");
  }
  return std::chrono::sys_seconds{std::chrono::seconds(auth_date)};
}

std::optional<std::string> optional_string(const boost::json::object& object,
                                           std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_string()) refuse("malformed user");
  return std::string(value->as_string());
}

TelegramUser parse_user_json(const std::string& text) {
  boost::system::error_code error;
  const auto value = boost::json::parse(text, error);
  if (error || !value.is_object()) refuse("malformed user");
  const auto& object = value.as_object();
  const auto* id = object.if_contains("id");
  const auto* first_name = object.if_contains("first_name");
  if (!id || !id->is_int64() || id->as_int64() <= 0) refuse("malformed user");
  if (!first_name || !first_name->is_string()) refuse("malformed user");
  TelegramUser user;
  user.id = id->as_int64();
  user.first_name = std::string(first_name->as_string());
  user.last_name = optional_string(object, "last_name");
  user.username = optional_string(object, "username");
  user.language_code = optional_string(object, "language_code");
  return user;
}

InitData to_init_data(const Fields& fields, std::chrono::sys_seconds auth_date) {
  InitData data;
  data.user = parse_user_json(require(fields, "user"));
  data.auth_date = auth_date;
  if (const auto* start_param = find(fields, "start_param")) data.start_param = *start_param;
  return data;
}

}  // namespace

Fields parse_init_data(std::string_view raw) {
  const auto query = boost::urls::parse_query(raw);
  if (!query) refuse("malformed initData");
  Fields fields;
  for (const auto& param : *query) {
    // decode() with default options keeps '+' as '+': Telegram encodes spaces as %20.
    std::string key = param.key.decode();
    if (find(fields, key)) refuse("duplicate initData key " + key);
    fields.emplace_back(std::move(key), param.has_value ? param.value.decode() : std::string());
  }
  return fields;
}

std::string data_check_string(const Fields& fields, bool include_signature) {
  std::vector<const std::pair<std::string, std::string>*> kept;
  for (const auto& field : fields) {
    if (field.first == "hash" || (!include_signature && field.first == "signature")) continue;
    kept.push_back(&field);
  }
  std::sort(kept.begin(), kept.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string text;
  for (const auto* field : kept) {
    if (!text.empty()) text += '\n';
    text += field->first;
    text += '=';
    text += field->second;
  }
  return text;
}

InitData validate_init_data(std::string_view raw, std::string_view bot_token,
                            const FreshnessPolicy& freshness) {
  const Fields fields = parse_init_data(raw);
  const std::string& hash = require(fields, "hash");
  const std::string secret = hmac_sha256("WebAppData", bot_token);
  const std::string expected = to_hex(hmac_sha256(secret, data_check_string(fields, true)));
  if (!constant_time_equal(expected, hash)) refuse("initData signature does not match");
  return to_init_data(fields, check_freshness(fields, freshness));
}

InitData validate_init_data_ed25519(std::string_view raw, std::int64_t bot_id,
                                    std::string_view public_key_hex,
                                    const FreshnessPolicy& freshness) {
  const Fields fields = parse_init_data(raw);
  const auto signature = base64url_decode(require(fields, "signature"));
  const auto public_key = from_hex(public_key_hex);
  if (!signature || !public_key) refuse("malformed initData signature");
  const std::string message =
      std::to_string(bot_id) + ":WebAppData\n" + data_check_string(fields, false);
  if (!verify_ed25519(*public_key, message, *signature)) {
    refuse("initData signature does not match");
  }
  return to_init_data(fields, check_freshness(fields, freshness));
}

TelegramUser validate_login_widget(const Fields& fields, std::string_view bot_token,
                                   const FreshnessPolicy& freshness) {
  const std::string& hash = require(fields, "hash");
  const std::string expected =
      to_hex(hmac_sha256(sha256(bot_token), data_check_string(fields, true)));
  if (!constant_time_equal(expected, hash)) refuse("login signature does not match");
  check_freshness(fields, freshness);
  TelegramUser user;
  user.id = parse_int64(require(fields, "id"), "id");
  if (user.id <= 0) refuse("malformed id");
  user.first_name = require(fields, "first_name");
  if (const auto* last_name = find(fields, "last_name")) user.last_name = *last_name;
  if (const auto* username = find(fields, "username")) user.username = *username;
  return user;
}

}  // namespace tb
