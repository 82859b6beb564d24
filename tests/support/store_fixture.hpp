// A migrated SQLite store in a temporary directory, people of any role in it, and what its
// event log holds: for testing services without the application.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdlib.h>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::testing {

class StoreFixture : public ::testing::Test {
 protected:
  StoreFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-service-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    store_ = store::open_store("sqlite:" + (directory_ / "test.db").string(), {});
    store_->migrate();
  }
  ~StoreFixture() override { std::filesystem::remove_all(directory_); }

  // A person of `role` with the role's default permissions, as AuthService would make them.
  service::Principal principal(Role role, std::int64_t telegram_id, const std::string& name) {
    TelegramUser profile;
    profile.id = telegram_id;
    profile.first_name = name;
    const auto user = store_->upsert_telegram_user(profile, role, system_now());
    return service::Principal{std::make_shared<const User>(user), default_permissions(role),
                              std::nullopt, std::nullopt};
  }

  // A ticket put straight into the store (no routing, no auto-replies), with its first
  // message.
  Ticket file_ticket(std::int64_t creator_id,
                     std::optional<std::int64_t> category_id = std::nullopt) {
    store::NewTicket ticket;
    ticket.subject = "Charged twice";
    ticket.body = "Help";
    ticket.category_id = category_id;
    ticket.creator_id = creator_id;
    ticket.now = system_now();
    ticket.route = false;
    return store_->create_ticket(ticket, [](auto) { return std::nullopt; });
  }

  // The code of the tb::Error that `action` throws; a failure of the test when it throws none.
  static ErrorCode code_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& error) {
      return error.code();
    }
    ADD_FAILURE() << "no error was thrown";
    return ErrorCode::internal;
  }

  // Every event the log holds, oldest first.
  std::vector<Event> logged_events() { return store_->read_events(0, 1'000'000); }

  std::filesystem::path directory_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace tb::testing
