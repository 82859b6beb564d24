#include "service/auth_service.hpp"

#include <algorithm>
#include <mutex>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace tb::service {
namespace {

constexpr std::size_t kMostCachedEntries = 200000;
constexpr std::size_t kTokenBytes = 32;  // 256 bits

bool contains(const std::vector<std::int64_t>& ids, std::int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string new_token() {
  return base64url_encode(random_bytes(kTokenBytes));
}

std::string token_hash(std::string_view token) {
  return to_hex(sha256(token));
}

[[noreturn]] void refuse(const std::string& why) {
  throw Error(ErrorCode::unauthorized, why);
}

template <class Map>
void bound(Map& map) {
  // A crude but safe bound: the caches refill from the database on demand.
  if (map.size() >= kMostCachedEntries) map.clear();
}

}  // namespace

AuthService::AuthService(store::Store& store, const PermissionTable& permissions,
                         AuthOptions options, Clock clock)
    : store_(store),
      permissions_(permissions),
      options_(std::move(options)),
      clock_(std::move(clock)) {}

FreshnessPolicy AuthService::freshness() const {
  return FreshnessPolicy{.now = clock_(), .max_age = options_.init_data_max_age};
}

Role AuthService::role_for_new_user(std::int64_t telegram_id) const {
  if (contains(options_.bootstrap_developers, telegram_id)) return Role::developer;
  if (contains(options_.bootstrap_admins, telegram_id)) return Role::admin;
  return Role::user;
}

LoginResult AuthService::login_with_init_data(std::string_view raw_init_data) {
  if (options_.bot_token.empty()) refuse("Telegram login is not configured on this server");
  const InitData data = validate_init_data(raw_init_data, options_.bot_token, freshness());
  const User user =
      store_.upsert_telegram_user(data.user, role_for_new_user(data.user.id), clock_());
  drop_cached_user(user.id);
  return start_session(user);
}

LoginResult AuthService::login_with_widget(const Fields& widget_fields) {
  if (options_.bot_token.empty()) refuse("Telegram login is not configured on this server");
  const TelegramUser profile =
      validate_login_widget(widget_fields, options_.bot_token, freshness());
  const User user = store_.upsert_telegram_user(profile, role_for_new_user(profile.id), clock_());
  drop_cached_user(user.id);
  return start_session(user);
}

LoginResult AuthService::login_demo(std::string_view role) {
  if (!options_.demo) throw Error(ErrorCode::not_found, "no such resource");
  const auto parsed = parse_role(role);
  if (!parsed)
    throw Error(ErrorCode::invalid_request,
                "role must be one of user, helper, moderator, admin, developer");
  const auto user = store_.find_user_by_telegram_id(kDemoTelegramIdBase + role_level(*parsed));
  if (!user) throw Error(ErrorCode::not_found, "no demo person for that role");
  return start_session(*user);
}

void AuthService::seed_demo_people() {
  if (!options_.demo) return;  // never in a database started without DEMO=1
  store_.in_one_transaction([this] { seed_demo_people_now(); });
}

void AuthService::seed_demo_people_now() {
  static constexpr std::string_view kNames[] = {"Dana", "Harper", "Morgan", "Alex", "Devon"};
  // Marked in the same transaction: these ids could collide with real Telegram users.
  store_.set_setting(store::kDemoDataSetting, "1");
  for (const Role role : kAllRoles) {
    const std::int64_t telegram_id = kDemoTelegramIdBase + role_level(role);
    if (store_.find_user_by_telegram_id(telegram_id)) continue;
    TelegramUser profile;
    profile.id = telegram_id;
    profile.first_name = std::string(kNames[role_level(role)]);
    profile.last_name = "(demo " + std::string(role_name(role)) + ")";
    profile.username = "demo_" + std::string(role_name(role));
    profile.language_code = "en";
    store_.upsert_telegram_user(profile, role, clock_());
  }
}

LoginResult AuthService::start_session(const User& user) {
  LoginResult result;
  result.token = new_token();
  result.expires_at = clock_() + options_.session_ttl;
  const std::string hash = token_hash(result.token);
  store_.create_session(hash, user.id, clock_(), result.expires_at);
  {
    std::unique_lock lock(cache_mutex_);
    bound(sessions_);
    sessions_[hash] = store::Session{user.id, result.expires_at};
  }
  result.user = user_by_id(user.id);
  result.permissions = permissions_.of(result.user->role);
  return result;
}

std::shared_ptr<const User> AuthService::user_by_id(std::int64_t user_id) {
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = users_.find(user_id); it != users_.end()) return it->second;
  }
  auto user = store_.find_user(user_id);
  if (!user) return nullptr;
  auto shared = std::make_shared<const User>(std::move(*user));
  std::unique_lock lock(cache_mutex_);
  bound(users_);
  users_[user_id] = shared;
  return shared;
}

std::shared_ptr<const User> AuthService::user_by_telegram_profile(const TelegramUser& profile) {
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = user_ids_by_telegram_id_.find(profile.id); it != user_ids_by_telegram_id_.end()) {
      if (auto user = users_.find(it->second); user != users_.end()) return user->second;
    }
  }
  // First request of this person, or not cached: initData is a login, so create if new.
  auto user = store_.find_user_by_telegram_id(profile.id);
  if (!user) user = store_.upsert_telegram_user(profile, role_for_new_user(profile.id), clock_());
  {
    std::unique_lock lock(cache_mutex_);
    bound(user_ids_by_telegram_id_);
    user_ids_by_telegram_id_[profile.id] = user->id;
  }
  return user_by_id(user->id);
}

Principal AuthService::principal_for(std::shared_ptr<const User> user,
                                     std::optional<std::string> token_hash) const {
  Principal principal;
  principal.permissions = permissions_.of(user->role);
  principal.user = std::move(user);
  principal.session_token_hash = std::move(token_hash);
  return principal;
}

Principal AuthService::authenticate_session(std::string_view token) {
  std::string hash = token_hash(token);
  std::optional<store::Session> session;
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = sessions_.find(hash); it != sessions_.end()) session = it->second;
  }
  if (!session) {
    session = store_.find_session(hash);
    if (!session) refuse("invalid or revoked session token");
    std::unique_lock lock(cache_mutex_);
    bound(sessions_);
    sessions_[hash] = *session;
  }
  if (session->expires_at <= clock_()) {
    std::unique_lock lock(cache_mutex_);
    sessions_.erase(hash);
    refuse("session expired");
  }
  auto user = user_by_id(session->user_id);
  if (!user) refuse("invalid or revoked session token");
  auto principal = principal_for(std::move(user), std::move(hash));
  principal.expires_at = session->expires_at;
  return principal;
}

void AuthService::set_bot_username(std::string username) {
  std::lock_guard lock(bot_username_mutex_);
  bot_username_ = std::move(username);
}

std::string AuthService::bot_username() const {
  std::lock_guard lock(bot_username_mutex_);
  return bot_username_;
}

Principal AuthService::principal_for_bot_user(const TelegramUser& profile) {
  return principal_for(user_by_telegram_profile(profile), std::nullopt);
}

Principal AuthService::authenticate(std::string_view authorization) {
  if (authorization.empty()) refuse("missing credentials");
  if (authorization.starts_with("Bearer ")) return authenticate_session(authorization.substr(7));
  if (authorization.starts_with("tma ")) {
    if (options_.bot_token.empty()) refuse("Telegram login is not configured on this server");
    const InitData data =
        validate_init_data(authorization.substr(4), options_.bot_token, freshness());
    auto principal = principal_for(user_by_telegram_profile(data.user), std::nullopt);
    principal.expires_at = data.auth_date + options_.init_data_max_age;
    return principal;
  }
  refuse("unsupported authorization scheme (use Bearer or tma)");
}

void AuthService::logout(const Principal& principal) {
  if (!principal.session_token_hash) return;  // initData callers hold no session to revoke
  store_.delete_session(*principal.session_token_hash);
  {
    std::unique_lock lock(cache_mutex_);
    sessions_.erase(*principal.session_token_hash);
  }
  identity_version_.fetch_add(1, std::memory_order_release);
}

void AuthService::forget_session(const std::string& token_hash) {
  {
    std::unique_lock lock(cache_mutex_);
    sessions_.erase(token_hash);
  }
  identity_version_.fetch_add(1, std::memory_order_release);
}

void AuthService::forget_user(std::int64_t user_id) {
  drop_cached_user(user_id);
  identity_version_.fetch_add(1, std::memory_order_release);
}

void AuthService::drop_cached_user(std::int64_t user_id) {
  std::unique_lock lock(cache_mutex_);
  users_.erase(user_id);
}

}  // namespace tb::service
