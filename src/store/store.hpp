// tb::store — persistence. The Store interface is what services see; each backend lives in
// its own folder (sqlite/ now, postgres/ later) and keeps its SQL dialect there. Nothing
// here knows about HTTP or Telegram.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/canned_reply.hpp"
#include "core/error.hpp"
#include "core/event.hpp"
#include "core/report.hpp"
#include "core/statistics.hpp"
#include "core/telegram_auth.hpp"
#include "core/ticket.hpp"
#include "core/user.hpp"

namespace tb::store {

// A database failure. The message is for logs (it may hold SQL or paths); callers
// that face a client must not show it.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database cannot be used with this binary or these settings (unreachable path,
// schema newer than the binary, unknown scheme): startup stops with this message.
class StoreConfigError : public StoreError {
 public:
  using StoreError::StoreError;
};

struct MigrationReport {
  int version_before = 0;
  int version_after = 0;
  int latest_known = 0;
  std::vector<std::string> applied;  // "0001_settings", in order
};

// Users in id order, after `after_id`, at most `limit`.
struct UserQuery {
  std::optional<Role> role;
  std::string text;  // matches names, username, or the Telegram id exactly
  std::int64_t after_id = 0;
  int limit = 50;
};

struct Session {
  std::int64_t user_id = 0;
  Timestamp expires_at{};
};

// A user's role moves from `from` to `to`; the write fails (returns false) when the role is
// no longer `from`, so two concurrent changes cannot both apply.
struct RoleChange {
  std::int64_t target_id = 0;
  Role from = Role::user;
  Role to = Role::user;
  std::int64_t actor_id = 0;
  Timestamp at{};
};

struct PermissionChange {
  Role role = Role::user;
  std::vector<std::string> old_permissions;
  std::vector<std::string> new_permissions;
  std::int64_t actor_id = 0;
  Timestamp at{};
};

// One entry of the audit log: who changed what, from what to what. `action` is a dotted name
// ("category.updated"); `target_user_id` the person concerned, if the change is about one;
// the values are text as the service words them ("" where there is nothing, e.g. before a
// creation; a JSON object for a changed record).
struct AuditRecord {
  std::int64_t actor_id = 0;
  std::string action{};
  std::optional<std::int64_t> target_user_id{};
  std::string old_value{};
  std::string new_value{};
  Timestamp at{};
};

// The disk holding the database is full (SQLITE_FULL). Stores turn it into
// tb::Error(insufficient_storage) for their callers and report it until a write succeeds.
class StorageFull : public StoreError {
 public:
  using StoreError::StoreError;
};

// The settings-table key that marks a database seeded with demo data.
inline constexpr std::string_view kDemoDataSetting = "demo_data";

// A unique name or key is taken (e.g. a category name).
class UniqueViolation : public StoreError {
 public:
  using StoreError::StoreError;
};

// The orders of a ticket list. Each is total (the id breaks ties), so keyset paging neither
// skips nor repeats a ticket:
// - updated_at, created_at: newest first; last_activity: the latest public message first;
// - priority: highest first, then the newest ticket;
// - sla_due: the first response due soonest first (so breached ones, then nearly due), then
//   the tickets with no response pending (answered, finished, or without an SLA), by id;
// - relevance (a search): the tier of the match (TicketQuery::text), then updated_at.
enum class TicketSort { updated_at, created_at, priority, last_activity, sla_due, relevance };

// Where a search match ranks, highest first: the ticket whose number was typed, then tickets
// whose subject holds every word, then the tickets of a customer whose name matched, then the
// rest (the words are in messages). Tiers rather than a bm25 score: a score moves as the index
// grows, which would make keyset pages skip or repeat tickets.
enum class SearchTier : std::int64_t { messages = 0, customer = 1, subject = 2, number = 3 };

// Keyset position in a ticket list: the sort value and id of the last ticket seen (and its
// search tier, for TicketSort::relevance).
struct TicketPosition {
  std::int64_t value = 0;
  std::int64_t id = 0;
  std::int64_t tier = 0;
};

// A set of statuses (a bit per TicketStatus); empty means any.
class StatusSet {
 public:
  StatusSet() = default;
  StatusSet(std::initializer_list<TicketStatus> statuses) {
    for (const auto status : statuses) add(status);
  }
  void add(TicketStatus status) { bits_ |= 1u << static_cast<unsigned>(status); }
  bool contains(TicketStatus status) const {
    return (bits_ & (1u << static_cast<unsigned>(status))) != 0;
  }
  bool empty() const { return bits_ == 0; }
  unsigned bits() const { return bits_; }

 private:
  unsigned bits_ = 0;
};

struct TicketQuery {
  TicketScope scope;
  StatusSet statuses;  // any of these; empty: every status
  std::optional<Priority> priority;
  std::optional<std::int64_t> category_id;
  std::optional<std::int64_t> assignee_id;
  bool unassigned = false;
  std::optional<std::int64_t> creator_id;
  std::string text;              // search text (core/search.hpp) over subjects and messages
  bool search_internal = false;  // whether internal notes are searched
  bool search_people = false;    // whether customers' names and @usernames are searched (staff)
  TicketSort sort = TicketSort::updated_at;
  std::optional<TicketPosition> after;
  int limit = 50;
};

// The sort value of `ticket` under `sort`, for cursors (for relevance: updated_at; the tier
// is Ticket::search_tier).
std::int64_t sort_value(const Ticket& ticket, TicketSort sort);

// sla_due's value for a ticket with no first response pending: after every due time.
inline constexpr std::int64_t kNoSlaDue = std::numeric_limits<std::int64_t>::max();

// A key equal for two queries exactly when they select the same tickets in the same order:
// every field that shapes the SQL or its parameters, the viewer only where the scope needs one.
std::string cache_key(const TicketQuery& query);

// How many of a ticket's messages a person has not seen: the ones after their read mark that
// others wrote (internal notes only for those who read them).
struct UnreadCount {
  std::int64_t ticket_id = 0;
  int messages = 0;
};

// One page of a report's tickets (created in the filter's period), in id order after
// `after_id`. Ids rise in creation order, and the primary key makes each page an index seek.
struct ReportPage {
  ReportFilter filter;
  std::int64_t after_id = 0;
  int limit = 1000;
};

struct NewTicket {
  std::string subject;
  std::string body;
  Priority priority = Priority::normal;
  std::optional<std::int64_t> category_id;
  std::int64_t creator_id = 0;
  MessageSource source = MessageSource::api;
  Timestamp now{};
  std::optional<Timestamp> sla_due_at;
  bool route = true;  // pick an assignee among the category's available staff
  // The creator's idempotency key: unique per creator (UniqueViolation when taken).
  std::optional<std::string> client_id{};
};

// Chooses among candidates, inside the store's transaction (core::choose_assignee).
using AssigneeChooser =
    std::function<std::optional<std::int64_t>(std::span<const RoutingCandidate>)>;

struct NewMessage {
  std::int64_t ticket_id = 0;
  std::int64_t author_id = 0;
  std::string body;
  bool internal = false;
  MessageSource source = MessageSource::api;
  Timestamp now{};
  bool counts_as_first_response = false;  // staff, public, not system
  std::optional<TicketStatus> move_to{};  // e.g. waiting → in_progress on a customer reply
  // The author's idempotency key: unique per ticket and author (UniqueViolation when taken).
  std::optional<std::string> client_id{};
};

// Field changes to a ticket; the store sets updated_at and the status timestamps.
struct TicketChanges {
  std::optional<std::string> subject{};
  std::optional<TicketStatus> status{};
  std::optional<Priority> priority{};
  std::optional<std::optional<std::int64_t>> category_id{};
  std::optional<std::optional<std::int64_t>> assignee_id{};
  // For taking: apply only if the ticket is still unassigned (else nothing, returns false).
  bool only_if_unassigned = false;
  Timestamp now{};
  std::optional<std::int64_t> actor_id{};  // who asks for the change; nullopt: the system
};

// Which events pruning may remove: those older than `max_age` or beyond the newest
// `max_count`; never one a durable consumer has not read yet.
struct EventRetention {
  std::chrono::seconds max_age{std::chrono::hours(72)};
  std::int64_t max_count = 1'000'000;
};

struct EventLogBounds {
  std::int64_t pruned_up_to = 0;  // positions up to here are gone (or never were)
  std::int64_t last = 0;          // the newest position, 0 for an empty log
};

// --- the bot (src/telegram/): what it must not lose across a restart.

// An update as Telegram sent it (the JSON of one Update object).
struct TelegramUpdate {
  std::int64_t update_id = 0;
  std::string payload{};
};

// What the bot remembers about a chat: whose it is, whether it blocked the bot, and where a
// dialog (e.g. creating a ticket step by step) stands.
struct BotChat {
  std::int64_t chat_id = 0;
  std::optional<std::int64_t> user_id{};  // users.id of the person, once known
  std::optional<Timestamp> blocked_at{};  // set by block_bot_chat only
  std::string dialog{};                   // the dialog's step, "" when none
  std::string dialog_text{};              // what the dialog collected so far
  std::optional<std::int64_t> selected_ticket_id{};
};

// A message the bot is to send. With `topic_ticket_id` it goes to that ticket's forum topic in
// `chat_id` (the sender creates the topic on first use; thread_id then comes from there).
struct NewDelivery {
  std::int64_t chat_id = 0;
  std::optional<std::int64_t> thread_id{};
  std::string text{};
  std::string reply_markup{};               // JSON, "" for none
  std::optional<std::int64_t> ticket_id{};  // the ticket it is about (a reply to it posts there)
  std::optional<std::int64_t> topic_ticket_id{};
  std::optional<std::int64_t> reply_to_message_id{};
};

enum class DeliveryStatus { pending, sent, dead };

struct Delivery : NewDelivery {
  std::int64_t id = 0;
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;  // failed attempts so far
  Timestamp next_attempt_at{};
  std::string last_error{};
  Timestamp created_at{};
  std::optional<Timestamp> sent_at{};
  std::optional<std::int64_t> telegram_message_id{};
};

struct DeliveryCounts {
  std::int64_t pending = 0;
  std::int64_t sent = 0;
  std::int64_t dead = 0;
};

// --- statistics (0012_statistics.sql): rollups per hour and per UTC day that triggers keep in
// the transaction of every ticket write, read for whole hours.

struct StatisticsFilter {
  std::optional<std::int64_t> category_id{};
  std::optional<std::int64_t> assignee_id{};
};

// The tickets created in a period under one category and one assignee (0: none).
struct StatisticsCell {
  std::int64_t category_id = 0;
  std::int64_t assignee_id = 0;
  TicketCounts counts{};
};

// Tickets created, and tickets finished, in one hour or one UTC day.
struct TicketFlow {
  Timestamp period{};
  std::int64_t created = 0;
  std::int64_t finished = 0;
};

enum class FlowSpan { hour, day };

// The unfinished tickets now, whenever created.
struct Backlog {
  std::int64_t open = 0;
  std::optional<Timestamp> oldest_created_at{};
};

class Store {
 public:
  virtual ~Store() = default;

  // Throws StoreError when the database does not answer a trivial query.
  virtual void ping() = 0;

  // The highest migration applied to the database.
  virtual int schema_version() = 0;

  // The highest migration embedded in this binary.
  virtual int latest_known_version() const = 0;

  // Applies every embedded migration the database lacks, each in its own transaction.
  virtual MigrationReport migrate() = 0;

  virtual std::string backend_name() const = 0;

  // True from a write that failed because the disk is full until a write succeeds again.
  virtual bool storage_full() const = 0;

  // How many write transactions have ended since the store opened. A read is still current
  // while this stays what it was before the read began (the count moves after the commit is
  // visible, so a read can only be newer than its count says). PostgreSQL, shared by several
  // instances, will take it from the event log's position instead of a local counter.
  virtual std::uint64_t committed_writes() const = 0;

  // Runs `work`, which calls this store's methods, as one transaction: all of its writes
  // commit together or not at all. Its reads see its own writes.
  virtual void in_one_transaction(const std::function<void()>& work) = 0;

  // --- settings: small facts the application keeps about itself
  virtual std::optional<std::string> get_setting(std::string_view key) = 0;
  virtual void set_setting(std::string_view key, std::string_view value) = 0;

  // --- users
  // Creates the user on first sight with `role_if_new`, or refreshes name, username,
  // language and last_seen_at; returns the stored user.
  virtual User upsert_telegram_user(const TelegramUser& profile, Role role_if_new,
                                    Timestamp now) = 0;
  virtual std::optional<User> find_user(std::int64_t id) = 0;
  virtual std::optional<User> find_user_by_telegram_id(std::int64_t telegram_id) = 0;
  virtual std::vector<User> list_users(const UserQuery& query) = 0;
  // Applies the change and writes its audit entry in one transaction.
  virtual bool change_role(const RoleChange& change) = 0;
  virtual void set_user_categories(std::int64_t user_id,
                                   const std::vector<std::int64_t>& category_ids) = 0;
  virtual void set_user_availability(std::int64_t user_id, bool available) = 0;
  // The ids among `ids` that name existing categories.
  virtual std::vector<std::int64_t> existing_categories(const std::vector<std::int64_t>& ids) = 0;

  // --- sessions (keyed by the token's hash)
  virtual void create_session(std::string_view token_hash, std::int64_t user_id, Timestamp now,
                              Timestamp expires_at) = 0;
  virtual std::optional<Session> find_session(std::string_view token_hash) = 0;
  virtual void delete_session(std::string_view token_hash) = 0;

  // --- role permissions: the roles a developer changed, as permission names
  virtual std::map<Role, std::vector<std::string>> load_role_permissions() = 0;
  // Stores the new set and writes its audit entry in one transaction.
  virtual void save_role_permissions(const PermissionChange& change) = 0;

  // --- audit log, newest first, before `before_id` (0: from the newest)
  // Appends one entry; inside in_one_transaction it commits with the change it records.
  virtual void append_audit(const AuditRecord& record) = 0;
  virtual std::vector<AuditEntry> list_audit(std::int64_t before_id, int limit) = 0;

  // --- categories
  virtual std::vector<Category> list_categories() = 0;  // by position, then id
  virtual std::optional<Category> find_category(std::int64_t id) = 0;
  virtual Category save_category(const Category& category) = 0;  // id 0: create. UniqueViolation
  virtual bool category_in_use(std::int64_t id) = 0;
  virtual void delete_category(std::int64_t id) = 0;

  // --- tickets
  // Creates the ticket and its first message and routes it, in one transaction.
  virtual Ticket create_ticket(const NewTicket& ticket, const AssigneeChooser& choose) = 0;
  virtual std::optional<Ticket> find_ticket(std::int64_t id) = 0;  // deleted ones are absent
  // The ticket `creator_id` created under `client_id`, if any (and not deleted).
  virtual std::optional<Ticket> find_ticket_by_client_id(std::int64_t creator_id,
                                                         std::string_view client_id) = 0;
  virtual std::vector<Ticket> list_tickets(const TicketQuery& query) = 0;
  // --- read marks (0014_queue.sql): what each person has seen of each ticket
  // Moves `user_id`'s mark on the ticket up to `through_message_id` (nothing: its latest
  // message); never down. Returns false, writing nothing, when the mark was there already.
  virtual bool mark_read(std::int64_t user_id, std::int64_t ticket_id,
                         std::optional<std::int64_t> through_message_id) = 0;
  // The unread counts of `ticket_ids` for `user_id`, only those above zero, in no order.
  virtual std::vector<UnreadCount> unread_counts(std::int64_t user_id,
                                                 std::span<const std::int64_t> ticket_ids,
                                                 bool include_internal) = 0;
  // How many tickets of `query` (all its pages) have unread messages for its viewer
  // (query.scope.user_id; internal notes count when query.search_internal).
  virtual std::int64_t count_unread_tickets(const TicketQuery& query) = 0;
  // Returns false when only_if_unassigned failed (someone else took it first).
  virtual bool update_ticket(std::int64_t id, const TicketChanges& changes) = 0;
  virtual void delete_ticket(std::int64_t id, Timestamp now) = 0;
  // Returns false when the ticket is already rated.
  virtual bool rate_ticket(std::int64_t id, const Rating& rating, Timestamp now) = 0;
  // --- reports: exact counts and keyset pages over the tickets a report filter selects
  virtual std::vector<Ticket> list_report_tickets(const ReportPage& page) = 0;
  // Every figure but the days without tickets (fill_report_days adds those).
  virtual ReportSummary summarize_report(const ReportFilter& filter) = 0;
  // Closes tickets resolved before `cutoff`; returns their ids.
  virtual std::vector<std::int64_t> close_resolved_before(Timestamp cutoff, Timestamp now) = 0;
  // How many tickets were created in each hour of [from, to) (both on the hour), oldest hour
  // first; deleted tickets do not count. The history the load forecast learns from.
  virtual std::vector<std::int64_t> hourly_arrivals(Timestamp from, Timestamp to) = 0;

  // --- messages
  // Adds the message and applies its effects on the ticket in one transaction. Throws
  // UniqueViolation, changing nothing, when the author already used its client_id there.
  virtual Message add_message(const NewMessage& message) = 0;
  // The message `author_id` posted on `ticket_id` under `client_id`, if any.
  virtual std::optional<Message> find_message_by_client_id(std::int64_t ticket_id,
                                                           std::int64_t author_id,
                                                           std::string_view client_id) = 0;
  virtual std::vector<Message> list_messages(std::int64_t ticket_id, std::int64_t after_id,
                                             int limit, bool include_internal) = 0;

  // --- the event log. Every write that changes a ticket or a message appends its events in
  // its own transaction, with positions that rise in commit order. On SQLite the single
  // writer gives that order. PostgreSQL will assign positions from a one-row counter that
  // each event-writing transaction updates (its row lock held until commit), so positions
  // are taken and become visible in the same order.

  // Up to `limit` events after `position`, oldest first, each with its ticket (and message)
  // as they are now.
  virtual std::vector<Event> read_events(std::int64_t after, int limit) = 0;
  virtual EventLogBounds event_log_bounds() = 0;
  // Blocks until committed_writes() differs from `seen`, `timeout` passes or `stop` is
  // requested; returns committed_writes().
  virtual std::uint64_t wait_for_writes(std::uint64_t seen, std::chrono::milliseconds timeout,
                                        std::stop_token stop = {}) = 0;
  // Where a durable consumer has read up to (0 when it never saved); saving inside
  // in_one_transaction commits it together with the consumer's own effects.
  virtual std::int64_t load_cursor(std::string_view consumer) = 0;
  virtual void save_cursor(std::string_view consumer, std::int64_t position, Timestamp now) = 0;
  // Removes what `retention` allows; returns how many events went.
  virtual int prune_events(const EventRetention& retention, Timestamp now) = 0;

  // --- statistics. `from` and `to` are whole hours (UTC); the period is [from, to).
  // The tickets created in the period, one cell per category and assignee that has any, with
  // `breached` as of `now` (a ticket still unanswered counts once its due time has passed).
  virtual std::vector<StatisticsCell> ticket_statistics(Timestamp from, Timestamp to,
                                                        const StatisticsFilter& filter,
                                                        Timestamp now) = 0;
  // Per hour or UTC day of the period that had any: tickets created, tickets finished.
  virtual std::vector<TicketFlow> ticket_flow(Timestamp from, Timestamp to, FlowSpan span,
                                              const StatisticsFilter& filter) = 0;
  virtual Backlog ticket_backlog(const StatisticsFilter& filter) = 0;

  // --- auto-replies
  virtual std::vector<AutoReply> list_auto_replies() = 0;
  virtual std::optional<AutoReply> find_auto_reply(std::int64_t id) = 0;
  virtual AutoReply save_auto_reply(const AutoReply& reply) = 0;  // id 0: create
  virtual void delete_auto_reply(std::int64_t id) = 0;
  // Records that `reply` fired on `ticket`; false when it already had.
  virtual bool mark_auto_reply_fired(std::int64_t reply_id, std::int64_t ticket_id) = 0;

  // --- canned replies (0013_canned_replies.sql). Each change writes its audit entry
  // (canned_reply.created / .updated / .deleted, by `actor_id`) in its own transaction.
  virtual std::vector<CannedReply> list_canned_replies() = 0;  // by name, then id
  virtual std::optional<CannedReply> find_canned_reply(std::int64_t id) = 0;
  // Creates the reply (id 0) or replaces the one with its id; its updated_at is stored as
  // given. UniqueViolation, changing nothing, when another reply has the name.
  virtual CannedReply save_canned_reply(const CannedReply& reply, std::int64_t actor_id) = 0;
  // False when there was no such reply.
  virtual bool delete_canned_reply(std::int64_t id, std::int64_t actor_id, Timestamp at) = 0;

  // --- the bot. Every write here works inside in_one_transaction (the notifier enqueues
  // deliveries with its cursor; the bot saves a chat, enqueues its answers and marks the update
  // processed in one).

  // Stores the updates not stored before (an update_id seen again is ignored); returns how
  // many were new.
  virtual int store_telegram_updates(std::span<const TelegramUpdate> updates, Timestamp now) = 0;
  // Unprocessed updates in update_id order, at most `limit`.
  virtual std::vector<TelegramUpdate> pending_telegram_updates(int limit) = 0;
  virtual void mark_telegram_update_processed(std::int64_t update_id, Timestamp now) = 0;
  // The highest update_id ever stored (0: none): the poller's next offset is this + 1.
  virtual std::int64_t last_telegram_update_id() = 0;
  // Removes processed updates received before `before`, but never the highest one; returns
  // how many went.
  virtual int prune_telegram_updates(Timestamp before) = 0;
  // Removes deliveries sent before `sent_before` (a reply to a message that old no longer finds
  // its ticket by the message) and dead ones queued before `dead_before`; returns how many.
  virtual int prune_deliveries(Timestamp sent_before, Timestamp dead_before) = 0;

  virtual std::optional<BotChat> find_bot_chat(std::int64_t chat_id) = 0;
  // Creates or replaces the chat's row; blocked_at is left as it is (chat.blocked_at is ignored).
  virtual void save_bot_chat(const BotChat& chat, Timestamp now) = 0;
  // Marks the chat blocked (creating its row if needed) and parks (dead) its pending
  // deliveries with `reason` as their last_error.
  virtual void block_bot_chat(std::int64_t chat_id, std::string_view reason, Timestamp now) = 0;
  virtual void unblock_bot_chat(std::int64_t chat_id, Timestamp now) = 0;

  // Queues the deliveries, due at once.
  virtual void enqueue_deliveries(std::span<const NewDelivery> deliveries, Timestamp now) = 0;
  // Pending deliveries due at `now`, oldest first (by next_attempt_at, then id), at most `limit`;
  // only each chat's earliest pending one, so that a chat gets its messages in order even when
  // one of them is waiting for a retry.
  virtual std::vector<Delivery> due_deliveries(Timestamp now, int limit) = 0;
  // When due_deliveries will next have something: the earliest next_attempt_at of each chat's
  // earliest pending delivery; nullopt when none is pending.
  virtual std::optional<Timestamp> next_delivery_due() = 0;
  virtual void mark_delivery_sent(std::int64_t id, std::int64_t telegram_message_id,
                                  Timestamp now) = 0;
  // A pending delivery failed and will be tried again: attempts + 1, next_attempt_at = `next`,
  // last_error = `error`.
  virtual void retry_delivery(std::int64_t id, Timestamp next, std::string_view error) = 0;
  // Gives up on a delivery: dead, with `error` as its last_error.
  virtual void park_delivery(std::int64_t id, std::string_view error, Timestamp now) = 0;
  virtual DeliveryCounts delivery_counts() = 0;
  // Dead deliveries, newest first, before `before_id` (0: from the newest), at most `limit`.
  virtual std::vector<Delivery> list_dead_deliveries(std::int64_t before_id, int limit) = 0;
  // The ticket a message the bot sent (and recorded with mark_delivery_sent) is about: a
  // reply to it posts there.
  virtual std::optional<std::int64_t> ticket_of_bot_message(std::int64_t chat_id,
                                                            std::int64_t message_id) = 0;

  // A ticket's forum topic (its message_thread_id) in the staff chat `chat_id`, and back.
  virtual std::optional<std::int64_t> topic_of_ticket(std::int64_t ticket_id,
                                                      std::int64_t chat_id) = 0;
  virtual std::optional<std::int64_t> ticket_of_topic(std::int64_t chat_id,
                                                      std::int64_t thread_id) = 0;
  // Records (or moves) the ticket's topic in `chat_id`. UniqueViolation when that thread is
  // another ticket's topic.
  virtual void save_topic(std::int64_t ticket_id, std::int64_t chat_id, std::int64_t thread_id) = 0;
};

struct StoreOptions {
  int reader_connections = 4;
  int busy_timeout_ms = 5000;
};

// Opens the store that `database_url` names (`sqlite:path`). Throws StoreConfigError when the
// URL or the database is unusable (unreachable, read-only, another application's, newer than
// this binary), naming what is wrong in one line.
std::unique_ptr<Store> open_store(const std::string& database_url, const StoreOptions& options);

}  // namespace tb::store
