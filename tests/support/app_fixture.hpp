// The whole application wired in-process on a real SQLite file in a temporary directory,
// with requests handed to the routing table as the server would hand them. For API tests
// that need many requests and many people without the cost of a process per test.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdlib.h>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "app/application.hpp"
#include "init_data_signer.hpp"
#include "service/auth_service.hpp"

namespace tb::testing {

using http::Method;
inline constexpr std::string_view kBotToken = "777:test-token";

class AppFixture : public ::testing::Test {
 protected:
  AppFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-identity-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
  }
  ~AppFixture() override { std::filesystem::remove_all(directory_); }

  void start(app::Settings extra = {}) {
    app::Settings settings{{"DATABASE_URL", "sqlite:" + (directory_ / "test.db").string()},
                           {"DEMO", "1"},
                           {"TELEGRAM_BOT_TOKEN", std::string(kBotToken)},
                           {"BOOTSTRAP_ADMINS", "5001"},
                           {"AUTH_RATE_LIMIT", "100000"},
                           {"WEB_ROOT", (directory_ / "web").string()}};
    for (auto& [key, value] : extra) settings[key] = value;
    const auto config = app::load_config(app::ConfigSources{settings, {}, {}});
    auto store = store::open_store(config.database_url, {});
    store->migrate();
    follower_ = std::jthread();  // a second start(): the old application's follower ends first
    app_ = std::make_unique<app::Application>(config, std::move(store), [this] {
      return system_now() + std::chrono::seconds(clock_offset_.load());
    });
    follower_ = std::jthread([this](std::stop_token stop) { app_->follow_events(stop); });
  }

  // Ends the application (its follower first), as a restart would before start() again.
  void stop_app() {
    follower_ = std::jthread();
    app_.reset();
  }

  // Moves the application's clock forward (it starts at the system's).
  void advance_clock(std::chrono::seconds by) { clock_offset_ += by.count(); }

  http::Response call(Method method, const std::string& target, const std::string& body = "",
                      const std::string& authorization = "",
                      const std::string& address = "10.0.0.1") {
    http::Request request;
    request.method = method;
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.remote_address = address;
    if (!authorization.empty()) request.headers.emplace_back("authorization", authorization);
    if (!body.empty()) request.headers.emplace_back("content-type", "application/json");
    request.body = body;
    return app_->router().respond(app_->router().match(method, request.path), request);
  }

  static boost::json::value json(const http::Response& response) {
    return boost::json::parse(response.body);
  }

  std::string demo_token(Role role) {
    const auto response =
        call(Method::post, "/auth/demo", R"({"role":")" + std::string(role_name(role)) + R"("})");
    EXPECT_EQ(response.status, 200) << response.body;
    return "Bearer " + std::string(json(response).at("token").as_string());
  }

  std::int64_t demo_user_id(Role role) {
    return app_->store()
        .find_user_by_telegram_id(service::kDemoTelegramIdBase + role_level(role))
        ->id;
  }

  std::string telegram_login(std::int64_t telegram_id, const std::string& name) {
    const auto init_data = init_data_for(telegram_id, name, std::string(kBotToken));
    const auto response =
        call(Method::post, "/auth/telegram",
             boost::json::serialize(boost::json::object{{"init_data", init_data}}));
    EXPECT_EQ(response.status, 200) << response.body;
    return "Bearer " + std::string(json(response).at("token").as_string());
  }

  std::string me_role(const std::string& authorization) {
    const auto response = call(Method::get, "/auth/me", "", authorization);
    EXPECT_EQ(response.status, 200) << response.body;
    return std::string(json(response).at("role").as_string());
  }

  // Through the store, not the API, so a test of something else needs no admin token.
  std::int64_t add_category(const std::string& name) {
    Category category;
    category.name = name;
    return app_->store().save_category(category).id;
  }

  // Issue 12: numbers were narrowed to int before any range check, so 4294967297 became 1.
  // Each must be 400 invalid_request naming its field, with nothing stored.
  static void expect_invalid_naming(const http::Response& response, const std::string& field,
                                    const std::string& value) {
    EXPECT_EQ(response.status, 400) << field << "=" << value << ": " << response.body;
    if (response.status != 400) return;
    const auto error = boost::json::parse(response.body).at("error");
    EXPECT_EQ(error.at("code").as_string(), "invalid_request") << response.body;
    EXPECT_NE(std::string(error.at("message").as_string()).find(field), std::string::npos)
        << response.body;
  }

  std::filesystem::path directory_;
  std::atomic<std::int64_t> clock_offset_{0};  // seconds the application clock is ahead
  std::unique_ptr<app::Application> app_;
  std::jthread follower_;  // the event log into app_'s hub and caches; stops before app_ goes
};

}  // namespace tb::testing
