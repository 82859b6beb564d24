#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <type_traits>

#include "store/kept_tickets.hpp"
#include "store/migration.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/write_queue.hpp"
#include "store/store.hpp"

namespace tb::store::sqlite {

// The embedded backend: one writer connection (SQLite allows one writer at a time, so
// writes are serialized here rather than by lock contention inside SQLite) and a pool of
// read-only connections, all on one WAL database file.
class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path` and checks that its schema is not
  // newer than `migrations`. Throws StoreConfigError otherwise.
  SqliteStore(const std::string& path, const StoreOptions& options,
              std::span<const Migration> migrations);

  void ping() override;
  int schema_version() override;
  int latest_known_version() const override;
  MigrationReport migrate() override;
  std::string backend_name() const override { return "sqlite"; }
  bool storage_full() const override { return storage_full_.load(std::memory_order_relaxed); }
  std::uint64_t committed_writes() const override {
    return committed_writes_.load(std::memory_order_acquire);
  }
  void in_one_transaction(const std::function<void()>& work) override;
  std::optional<std::string> get_setting(std::string_view key) override;
  void set_setting(std::string_view key, std::string_view value) override;

  User upsert_telegram_user(const TelegramUser& profile, Role role_if_new, Timestamp now) override;
  std::optional<User> find_user(std::int64_t id) override;
  std::optional<User> find_user_by_telegram_id(std::int64_t telegram_id) override;
  std::vector<User> list_users(const UserQuery& query) override;
  bool change_role(const RoleChange& change) override;
  void set_user_categories(std::int64_t user_id,
                           const std::vector<std::int64_t>& category_ids) override;
  void set_user_availability(std::int64_t user_id, bool available) override;
  std::vector<std::int64_t> existing_categories(const std::vector<std::int64_t>& ids) override;

  void create_session(std::string_view token_hash, std::int64_t user_id, Timestamp now,
                      Timestamp expires_at) override;
  std::optional<Session> find_session(std::string_view token_hash) override;
  void delete_session(std::string_view token_hash) override;

  std::map<Role, std::vector<std::string>> load_role_permissions() override;
  void save_role_permissions(const PermissionChange& change) override;

  void append_audit(const AuditRecord& record) override;
  std::vector<AuditEntry> list_audit(std::int64_t before_id, int limit) override;

  std::vector<Category> list_categories() override;
  std::optional<Category> find_category(std::int64_t id) override;
  Category save_category(const Category& category) override;
  bool category_in_use(std::int64_t id) override;
  void delete_category(std::int64_t id) override;

  Ticket create_ticket(const NewTicket& ticket, const AssigneeChooser& choose) override;
  std::optional<Ticket> find_ticket(std::int64_t id) override;
  std::optional<Ticket> find_ticket_by_client_id(std::int64_t creator_id,
                                                 std::string_view client_id) override;
  std::vector<Ticket> list_tickets(const TicketQuery& query) override;
  bool mark_read(std::int64_t user_id, std::int64_t ticket_id,
                 std::optional<std::int64_t> through_message_id) override;
  std::vector<UnreadCount> unread_counts(std::int64_t user_id,
                                         std::span<const std::int64_t> ticket_ids,
                                         bool include_internal) override;
  std::int64_t count_unread_tickets(const TicketQuery& query) override;
  std::vector<Ticket> list_report_tickets(const ReportPage& page) override;
  ReportSummary summarize_report(const ReportFilter& filter) override;
  bool update_ticket(std::int64_t id, const TicketChanges& changes) override;
  void delete_ticket(std::int64_t id, Timestamp now) override;
  bool rate_ticket(std::int64_t id, const Rating& rating, Timestamp now) override;
  std::vector<std::int64_t> close_resolved_before(Timestamp cutoff, Timestamp now) override;
  std::vector<std::int64_t> hourly_arrivals(Timestamp from, Timestamp to) override;

  Message add_message(const NewMessage& message) override;
  std::optional<Message> find_message_by_client_id(std::int64_t ticket_id, std::int64_t author_id,
                                                   std::string_view client_id) override;
  std::vector<Message> list_messages(std::int64_t ticket_id, std::int64_t after_id, int limit,
                                     bool include_internal) override;

  std::vector<Event> read_events(std::int64_t after, int limit) override;
  EventLogBounds event_log_bounds() override;
  std::uint64_t wait_for_writes(std::uint64_t seen, std::chrono::milliseconds timeout,
                                std::stop_token stop) override;
  std::int64_t load_cursor(std::string_view consumer) override;
  void save_cursor(std::string_view consumer, std::int64_t position, Timestamp now) override;
  int prune_events(const EventRetention& retention, Timestamp now) override;

  std::vector<StatisticsCell> ticket_statistics(Timestamp from, Timestamp to,
                                                const StatisticsFilter& filter,
                                                Timestamp now) override;
  std::vector<TicketFlow> ticket_flow(Timestamp from, Timestamp to, FlowSpan span,
                                      const StatisticsFilter& filter) override;
  Backlog ticket_backlog(const StatisticsFilter& filter) override;

  std::vector<AutoReply> list_auto_replies() override;
  std::optional<AutoReply> find_auto_reply(std::int64_t id) override;
  AutoReply save_auto_reply(const AutoReply& reply) override;
  void delete_auto_reply(std::int64_t id) override;
  bool mark_auto_reply_fired(std::int64_t reply_id, std::int64_t ticket_id) override;

  std::vector<CannedReply> list_canned_replies() override;
  std::optional<CannedReply> find_canned_reply(std::int64_t id) override;
  CannedReply save_canned_reply(const CannedReply& reply, std::int64_t actor_id) override;
  bool delete_canned_reply(std::int64_t id, std::int64_t actor_id, Timestamp at) override;

  int store_telegram_updates(std::span<const TelegramUpdate> updates, Timestamp now) override;
  std::vector<TelegramUpdate> pending_telegram_updates(int limit) override;
  void mark_telegram_update_processed(std::int64_t update_id, Timestamp now) override;
  std::int64_t last_telegram_update_id() override;
  int prune_telegram_updates(Timestamp before) override;
  int prune_deliveries(Timestamp sent_before, Timestamp dead_before) override;
  std::optional<BotChat> find_bot_chat(std::int64_t chat_id) override;
  void save_bot_chat(const BotChat& chat, Timestamp now) override;
  void block_bot_chat(std::int64_t chat_id, std::string_view reason, Timestamp now) override;
  void unblock_bot_chat(std::int64_t chat_id, Timestamp now) override;
  void enqueue_deliveries(std::span<const NewDelivery> deliveries, Timestamp now) override;
  std::vector<Delivery> due_deliveries(Timestamp now, int limit) override;
  std::optional<Timestamp> next_delivery_due() override;
  void mark_delivery_sent(std::int64_t id, std::int64_t telegram_message_id,
                          Timestamp now) override;
  void retry_delivery(std::int64_t id, Timestamp next, std::string_view error) override;
  void park_delivery(std::int64_t id, std::string_view error, Timestamp now) override;
  DeliveryCounts delivery_counts() override;
  std::vector<Delivery> list_dead_deliveries(std::int64_t before_id, int limit) override;
  std::optional<std::int64_t> ticket_of_bot_message(std::int64_t chat_id,
                                                    std::int64_t message_id) override;
  std::optional<std::int64_t> topic_of_ticket(std::int64_t ticket_id,
                                              std::int64_t chat_id) override;
  std::optional<std::int64_t> ticket_of_topic(std::int64_t chat_id,
                                              std::int64_t thread_id) override;
  void save_topic(std::int64_t ticket_id, std::int64_t chat_id, std::int64_t thread_id) override;

 private:
  int read_schema_version(Connection& connection);

  // Whether this thread is running in_one_transaction's work (on the writer's thread).
  bool in_own_transaction() const {
    return transaction_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }

  // Runs `work` on a reader connection (inside in_one_transaction: on the writer, so that it
  // sees the transaction's own writes).
  template <class Work>
  auto read(Work&& work) {
    if (in_own_transaction()) return work(*writer_);
    auto reader = readers_->acquire();
    return work(*reader);
  }

  // Runs `work` on the writer connection in a transaction (shared with other writes of the
  // same moment: see WriteQueue); rolls back its own changes when it throws.
  template <class Work>
  auto write(Work&& work) {
    using Result = decltype(work(*writer_));
    if (in_own_transaction()) return work(*writer_);
    if constexpr (std::is_void_v<Result>) {
      run_write([&](Connection& connection) { work(connection); });
    } else {
      std::optional<Result> result;
      run_write([&](Connection& connection) { result.emplace(work(connection)); });
      return std::move(*result);
    }
  }

  // Queues `work` and keeps storage_full() current: a full disk becomes
  // tb::Error(insufficient_storage); any write that commits clears the state.
  void run_write(const std::function<void(Connection&)>& work);

  // Refuses a database this process cannot write, or one holding another application's
  // tables, before anything is written into it.
  void check_usable(const std::string& path);

  std::string path_;
  std::span<const Migration> migrations_;
  std::atomic<bool> storage_full_{false};
  std::atomic<std::uint64_t> committed_writes_{0};
  KeptTickets kept_tickets_{10'000};  // find_ticket's, between writes
  std::mutex writes_mutex_;           // for wait_for_writes
  std::condition_variable_any writes_moved_;
  std::atomic<std::thread::id> transaction_thread_{};
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<WriteQueue> write_queue_;  // after the checkpointer, which it calls
};

}  // namespace tb::store::sqlite
