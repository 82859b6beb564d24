// The Telegram Bot API client: one synchronous HTTPS (or plain HTTP, for the fake server)
// connection to <base_url>/bot<token>/<method>, kept open between calls. It owns the wire
// format and the classification of failures (BotApiError::Kind); it does not retry, pace or
// log — the sender and the poller decide what a failure means. Beast and Asio stay in
// bot_api.cpp; this header shows only std and Boost.JSON types.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace tb::telegram {

struct BotApiOptions {
  // TELEGRAM_API_URL: https://api.telegram.org, or http://127.0.0.1:PORT (the fake server);
  // an optional path prefix (http://host/telegram) is kept in front of /bot<token>/.
  std::string base_url = "https://api.telegram.org";
  std::string token{};                       // a secret: never logged, never in an error
  std::chrono::milliseconds timeout{10000};  // per call, on top of a long poll's own timeout
};

// What went wrong with a call, classified for the caller's retry policy. The message names
// the method and the description, never the URL (it holds the token).
class BotApiError : public std::runtime_error {
 public:
  enum class Kind {
    rate_limited,  // 429: wait retry_after, then send again
    blocked,       // 403: the user blocked the bot, was deactivated, never started it
    bad_request,   // 400 (and 401, 404, other 4xx): sending the same again will not help
    server,        // 5xx
    network,       // no answer: connect/read/write failure, timeout, cancel(), not JSON
  };

  BotApiError(Kind kind, std::string_view method, int error_code, std::string description,
              std::chrono::seconds retry_after = {});

  Kind kind;
  int error_code;                    // the HTTP/Telegram code; 0 for network
  std::chrono::seconds retry_after;  // rate_limited only
  std::string method;
  std::string description;
};

std::string_view to_string(BotApiError::Kind kind);

struct BotUser {
  std::int64_t id = 0;
  std::string username{};
};

struct OutgoingMessage {
  std::int64_t chat_id = 0;
  std::string text{};
  std::string parse_mode = "HTML";  // empty: plain text
  std::optional<std::int64_t> message_thread_id{};
  std::optional<boost::json::object> reply_markup{};
  std::optional<std::int64_t> reply_to_message_id{};
  bool disable_web_page_preview = true;
};

struct BotCommand {
  std::string command{};  // without the slash
  std::string description{};
};

struct FileInfo {
  std::string file_id{};
  std::string file_unique_id{};
  std::int64_t file_size = 0;  // 0: not told
  std::string file_path{};     // empty: not downloadable (yet)
};

// One instance per thread: calls are not thread-safe, except cancel().
class BotApi {
 public:
  // Throws std::invalid_argument when base_url is not an http(s) URL.
  explicit BotApi(BotApiOptions options);
  ~BotApi();
  BotApi(const BotApi&) = delete;
  BotApi& operator=(const BotApi&) = delete;

  // POSTs `params` as JSON to <base>/bot<token>/<method> and returns `result`. The call
  // ends within options.timeout + extra_timeout. Throws BotApiError.
  boost::json::value call(std::string_view method, const boost::json::object& params,
                          std::chrono::milliseconds extra_timeout = {});

  // Ends a call blocked in another thread promptly with a network error, and every later
  // call at once: for shutdown. Safe from any thread.
  void cancel();

  BotUser get_me();
  // Long poll: waits up to timeout_s seconds for updates after `offset` (confirming those
  // before it). An empty allowed_updates keeps the server's current choice.
  std::vector<boost::json::object> get_updates(
      std::int64_t offset, int timeout_s, int limit,
      const std::vector<std::string>& allowed_updates = {});
  std::int64_t send_message(const OutgoingMessage& message);  // the new message_id
  // HTML text, link previews off, like send_message's defaults.
  void edit_message_text(std::int64_t chat_id, std::int64_t message_id, std::string_view text,
                         const std::optional<boost::json::object>& reply_markup = std::nullopt);
  // nullopt removes the inline keyboard.
  void edit_message_reply_markup(std::int64_t chat_id, std::int64_t message_id,
                                 const std::optional<boost::json::object>& reply_markup);
  void answer_callback_query(std::string_view callback_query_id, std::string_view text = {});
  // An empty language_code sets the commands for every language without their own list.
  void set_my_commands(const std::vector<BotCommand>& commands,
                       std::string_view language_code = {});
  // The default menu button (every private chat) opens the Mini App at web_app_url.
  void set_chat_menu_button(std::string_view text, std::string_view web_app_url);
  void set_webhook(std::string_view url, std::string_view secret_token,
                   const std::vector<std::string>& allowed_updates = {});
  void delete_webhook(bool drop_pending_updates = false);
  std::int64_t create_forum_topic(std::int64_t chat_id, std::string_view name);  // thread id
  FileInfo get_file(std::string_view file_id);
  // GET <base>/file/bot<token>/<file_path> (a path from get_file); the bytes, up to 64 MB.
  std::string download_file(std::string_view file_path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb::telegram
