#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/telegram_auth.hpp"
#include "core/user.hpp"
#include "service/permission_table.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

struct AuthOptions {
  std::string bot_token;  // empty: Telegram logins are refused
  std::chrono::seconds init_data_max_age{86400};
  std::chrono::seconds session_ttl{604800};
  std::vector<std::int64_t> bootstrap_developers;
  std::vector<std::int64_t> bootstrap_admins;
  bool demo = false;
};

struct LoginResult {
  std::string token;
  Timestamp expires_at{};
  std::shared_ptr<const User> user;
  // Of the user's role, as GET /auth/me gives them: the client needs no second request.
  PermissionSet permissions{};
};

// Establishes who is calling: logs people in (Mini App initData, Login Widget, demo),
// issues and revokes session tokens, and turns an Authorization header into a Principal.
// This runs on every request, so sessions and users are cached in memory; every change to
// a user goes through forget_user() so the next request sees it.
class AuthService {
 public:
  AuthService(store::Store& store, const PermissionTable& permissions, AuthOptions options,
              Clock clock = system_now);

  LoginResult login_with_init_data(std::string_view raw_init_data);
  LoginResult login_with_widget(const Fields& widget_fields);
  // Demo mode only (not_found otherwise): the seeded demo person of that role.
  LoginResult login_demo(std::string_view role);

  // Someone writing to the bot. Telegram vouches for `profile` (the update came over the bot's
  // own connection), so this is a login like the Mini App's: created on first sight with the
  // role a new person gets. No session: the bot acts for them update by update.
  Principal principal_for_bot_user(const TelegramUser& profile);

  // "Bearer <token>" or "tma <initData>". Throws unauthorized.
  Principal authenticate(std::string_view authorization);
  void logout(const Principal& principal);

  // Drops the cached copy of a user after a change (role, categories, availability).
  void forget_user(std::int64_t user_id);
  // Drops a session that ended elsewhere (a logout heard from the event log).
  void forget_session(const std::string& token_hash);
  // To be called after the permission table changed.
  void permissions_changed() { identity_version_.fetch_add(1, std::memory_order_release); }
  // Grows with every change that can alter what an authenticated caller may do (a user's
  // role, categories or availability, a session ended, permissions edited): long-lived
  // connections compare it to know when to authenticate again.
  std::uint64_t identity_version() const {
    return identity_version_.load(std::memory_order_acquire);
  }

  // Demo mode only: creates the five demo people (one per role) if they are missing, and
  // marks the database as holding demo data, in one transaction.
  void seed_demo_people();

  // The bot's @username, once the bot has asked Telegram (the Login Widget needs it); empty
  // while unknown or when the bot is off.
  void set_bot_username(std::string username);
  std::string bot_username() const;

  Timestamp now() const { return clock_(); }
  bool demo() const { return options_.demo; }
  bool telegram_logins() const { return !options_.bot_token.empty(); }

 private:
  void seed_demo_people_now();
  LoginResult start_session(const User& user);
  // A login refreshed the profile (names, language) but not the rights: open connections
  // need not re-check, so identity_version stays.
  void drop_cached_user(std::int64_t user_id);
  std::shared_ptr<const User> user_by_id(std::int64_t user_id);
  std::shared_ptr<const User> user_by_telegram_profile(const TelegramUser& profile);
  Principal principal_for(std::shared_ptr<const User> user,
                          std::optional<std::string> token_hash) const;
  Principal authenticate_session(std::string_view token);
  Role role_for_new_user(std::int64_t telegram_id) const;
  FreshnessPolicy freshness() const;

  store::Store& store_;
  const PermissionTable& permissions_;
  AuthOptions options_;
  Clock clock_;

  std::atomic<std::uint64_t> identity_version_{0};
  mutable std::mutex bot_username_mutex_;
  std::string bot_username_;
  std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, store::Session> sessions_;  // by token hash
  std::unordered_map<std::int64_t, std::shared_ptr<const User>> users_;
  std::unordered_map<std::int64_t, std::int64_t> user_ids_by_telegram_id_;
};

// The Telegram ids the demo people are seeded with (never real accounts' ids).
inline constexpr std::int64_t kDemoTelegramIdBase = 9'000'000'000;

}  // namespace tb::service
