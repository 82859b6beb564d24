#include "telegram/bot_api.hpp"

#include <atomic>
#include <limits>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <openssl/ssl.h>

namespace tb::telegram {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr std::uint64_t kMethodBodyLimit = 1024 * 1024;
constexpr std::uint64_t kDownloadBodyLimit = 64 * 1024 * 1024;
// How long past a deadline the wait loop lets the stream's own timer fire before it closes
// the socket itself, and how long it then waits for the aborted operation to come back.
constexpr auto kDeadlineSlack = std::chrono::milliseconds(500);
constexpr auto kAbortDrain = std::chrono::seconds(2);

struct Endpoint {
  bool tls = false;
  std::string host;        // for DNS, SNI and certificate checks (no brackets)
  std::string host_field;  // the Host header
  std::uint16_t port = 0;
  std::string prefix;  // path in front of /bot<token>, without a trailing slash
};

Endpoint parse_base_url(std::string_view text) {
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) throw std::invalid_argument("Bot API base URL is not a URL");
  const auto& url = *parsed;
  Endpoint endpoint;
  if (url.scheme_id() == boost::urls::scheme::https) {
    endpoint.tls = true;
  } else if (url.scheme_id() != boost::urls::scheme::http) {
    throw std::invalid_argument("Bot API base URL must be http:// or https://");
  }
  if (url.host_address().empty()) throw std::invalid_argument("Bot API base URL has no host");
  if (url.has_userinfo() || url.has_query() || url.has_fragment()) {
    throw std::invalid_argument("Bot API base URL must be scheme://host[:port][/path]");
  }
  endpoint.host = url.host_address();
  endpoint.port = url.has_port() ? url.port_number() : (endpoint.tls ? 443 : 80);
  if (endpoint.port == 0) throw std::invalid_argument("Bot API base URL has a bad port");
  endpoint.host_field = url.encoded_host_and_port();
  endpoint.prefix = url.encoded_path();
  while (!endpoint.prefix.empty() && endpoint.prefix.back() == '/') endpoint.prefix.pop_back();
  return endpoint;
}

BotApiError network_error(std::string_view method, std::string description) {
  return BotApiError(BotApiError::Kind::network, method, 0, std::move(description));
}

// One answer of the Bot API → its `result`, or the BotApiError it stands for.
json::value interpret(std::string_view method, unsigned http_status, const std::string& body) {
  error_code ec;
  json::value parsed = json::parse(body, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* ok = object ? object->if_contains("ok") : nullptr;
  if (!ok || !ok->is_bool()) {
    // Not the Bot API talking (a proxy's error page, a truncated body): the status is all
    // there is to go on.
    if (http_status >= 500) {
      throw BotApiError(BotApiError::Kind::server, method, static_cast<int>(http_status),
                        "HTTP " + std::to_string(http_status));
    }
    throw network_error(
        method, "the answer is not a Bot API response (HTTP " + std::to_string(http_status) + ")");
  }
  if (ok->get_bool()) {
    const json::value* result = object->if_contains("result");
    return result ? *result : json::value();
  }
  int code = static_cast<int>(http_status);
  if (const auto* field = object->if_contains("error_code"); field && field->is_int64()) {
    code = static_cast<int>(field->get_int64());
  }
  std::string description;
  if (const auto* field = object->if_contains("description"); field && field->is_string()) {
    description = field->get_string();
  }
  if (description.empty()) description = "error " + std::to_string(code);
  std::chrono::seconds retry_after{0};
  if (const auto* parameters = object->if_contains("parameters"); parameters) {
    if (const auto* p = parameters->if_object()) {
      if (const auto* field = p->if_contains("retry_after"); field && field->is_int64()) {
        retry_after = std::chrono::seconds(field->get_int64());
      }
    }
  }
  BotApiError::Kind kind = BotApiError::Kind::server;
  if (code == 429 || http_status == 429) {
    kind = BotApiError::Kind::rate_limited;
  } else if (code == 403) {
    kind = BotApiError::Kind::blocked;
  } else if (code >= 400 && code < 500) {
    kind = BotApiError::Kind::bad_request;  // 400, 401 (token), 404 (method), the rest of 4xx
  }
  throw BotApiError(kind, method, code, std::move(description), retry_after);
}

// Whether a failure on a reused connection, before any byte of the answer, is the server
// having closed the idle connection (the only case that is retried, see Impl::exchange).
bool closed_by_peer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

// What an asynchronous operation left behind. Shared with its completion handler, so a
// handler that comes back after the caller stopped waiting (an abandoned DNS lookup) writes
// into memory that is still alive.
struct Outcome {
  bool done = false;
  error_code error;
  std::vector<tcp::endpoint> endpoints;  // of a DNS lookup
};

template <class... Results>
void keep_results(Outcome&, Results&&...) {}

void keep_results(Outcome& outcome, const tcp::resolver::results_type& results) {
  for (const auto& entry : results) outcome.endpoints.push_back(entry.endpoint());
}

}  // namespace

BotApiError::BotApiError(Kind kind, std::string_view method, int error_code,
                         std::string description, std::chrono::seconds retry_after)
    : std::runtime_error("Bot API " + std::string(method) + " failed (" +
                         std::string(to_string(kind)) + "): " + description),
      kind(kind),
      error_code(error_code),
      retry_after(retry_after),
      method(method),
      description(std::move(description)) {}

std::string_view to_string(BotApiError::Kind kind) {
  switch (kind) {
    case BotApiError::Kind::rate_limited: return "rate_limited";
    case BotApiError::Kind::blocked: return "blocked";
    case BotApiError::Kind::bad_request: return "bad_request";
    case BotApiError::Kind::server: return "server";
    case BotApiError::Kind::network: return "network";
  }
  return "unknown";
}

// Everything runs on the caller's thread: each asynchronous step is started on the private
// io_context, which the caller then runs until the step completes. The streams' expiry
// bounds every socket operation by the call's deadline; cancel() only posts a wake-up,
// after which the caller's own loop closes the socket, so no I/O object is ever touched
// from two threads.
struct BotApi::Impl {
  explicit Impl(BotApiOptions options_in)
      : options(std::move(options_in)),
        endpoint(parse_base_url(options.base_url)),
        ssl_context(asio::ssl::context::tls_client) {
    if (endpoint.tls) {
      ssl_context.set_default_verify_paths();
      ssl_context.set_verify_mode(asio::ssl::verify_peer);
    }
  }

  // Declared first: the io_context outlives the I/O objects that use it.
  asio::io_context io;
  BotApiOptions options;
  Endpoint endpoint;
  asio::ssl::context ssl_context;
  tcp::resolver resolver{io};
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;  // bytes read past the last response (none, normally)
  std::atomic<bool> cancelled{false};

  struct Response {
    unsigned status = 0;
    std::string body;
  };

  bool connected() const { return plain || tls; }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  template <class Function>
  void with_stream(Function&& function) {
    if (tls) {
      function(*tls);
    } else {
      function(*plain);
    }
  }

  // Closes the socket so that whatever is pending on it completes (with an error) at once.
  void abort_io() {
    resolver.cancel();
    if (connected()) lowest().close();
  }

  void disconnect() {
    tls.reset();
    plain.reset();
    buffer.clear();
  }

  // Starts one asynchronous operation through `initiate` (given the completion handler)
  // and runs the io_context until it completes, the deadline passes or cancel() is called.
  // An operation on the socket is always waited for to the end (its handler refers to the
  // stream and buffers); a DNS lookup may be abandoned (`abandonable`). Returns the error;
  // a cancel or a missed deadline wins over whatever the operation reported.
  template <class Initiate>
  std::shared_ptr<Outcome> run(Clock::time_point deadline, bool abandonable, Initiate&& initiate) {
    auto outcome = std::make_shared<Outcome>();
    initiate([outcome](error_code ec, auto&&... results) {
      outcome->error = ec;
      keep_results(*outcome, results...);
      outcome->done = true;
    });
    io.restart();
    std::optional<Clock::time_point> aborted_at;
    error_code abort_reason;
    while (!outcome->done) {
      const auto now = Clock::now();
      if (!aborted_at) {
        if (cancelled.load()) {
          abort_reason = asio::error::operation_aborted;
        } else if (now >= deadline + (abandonable ? Clock::duration{} : kDeadlineSlack)) {
          abort_reason = beast::error::timeout;
        }
        if (abort_reason) {
          abort_io();
          aborted_at = now;
        }
      } else if (abandonable && now >= *aborted_at + kAbortDrain) {
        break;
      }
      // After an abort, a socket operation comes back as soon as the io_context runs (its
      // socket is closed); the short step only keeps the loop from spinning meanwhile.
      const auto until = aborted_at ? now + std::chrono::milliseconds(100)
                                    : deadline + (abandonable ? Clock::duration{} : kDeadlineSlack);
      io.run_one_until(until);
      if (io.stopped()) io.restart();
    }
    if (abort_reason) {
      if (!outcome->done) outcome = std::make_shared<Outcome>();
      outcome->error = abort_reason;
      outcome->done = true;
    } else if (cancelled.load()) {
      outcome->error = asio::error::operation_aborted;
    }
    return outcome;
  }

  std::string describe(const error_code& ec) const {
    if (ec == asio::error::operation_aborted && cancelled.load()) return "cancelled";
    if (ec == beast::error::timeout) return "timed out";
    return ec.message();
  }

  void connect(std::string_view method, Clock::time_point deadline) {
    disconnect();
    std::vector<tcp::endpoint> endpoints;
    error_code address_error;
    const auto address = asio::ip::make_address(endpoint.host, address_error);
    if (!address_error) {
      endpoints.emplace_back(address, endpoint.port);
    } else {
      auto resolved = run(deadline, true, [&](auto handler) {
        resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), std::move(handler));
      });
      if (resolved->error) {
        throw network_error(method,
                            "cannot resolve the Bot API host: " + describe(resolved->error));
      }
      endpoints = resolved->endpoints;
    }

    auto stream = std::make_unique<beast::tcp_stream>(io);
    stream->expires_at(deadline);
    auto connected_outcome = run(deadline, false, [&](auto handler) {
      stream->async_connect(endpoints, std::move(handler));
    });
    if (connected_outcome->error) {
      throw network_error(method, "cannot connect: " + describe(connected_outcome->error));
    }
    error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    if (!endpoint.tls) {
      plain = std::move(stream);
      return;
    }
    tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), ssl_context);
    stream.reset();
    error_code ip_error;
    asio::ip::make_address(endpoint.host, ip_error);
    if (ip_error && !SSL_set_tlsext_host_name(tls->native_handle(), endpoint.host.c_str())) {
      disconnect();
      throw network_error(method, "cannot set the TLS server name");
    }
    tls->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    lowest().expires_at(deadline);
    auto handshake = run(deadline, false, [&](auto handler) {
      tls->async_handshake(asio::ssl::stream_base::client, std::move(handler));
    });
    if (handshake->error) {
      disconnect();
      throw network_error(method, "TLS handshake failed: " + describe(handshake->error));
    }
  }

  // Sends one request and reads its response on the kept-alive connection, connecting
  // first when there is none.
  Response exchange(std::string_view method, http::verb verb, const std::string& target,
                    std::string body, std::uint64_t body_limit, Clock::time_point deadline) {
    if (cancelled.load()) throw network_error(method, "cancelled");
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, endpoint.host_field);
    request.set(http::field::user_agent, "ticketbot");
    if (verb == http::verb::post) {
      request.set(http::field::content_type, "application/json");
      request.body() = std::move(body);
    }
    request.keep_alive(true);
    request.prepare_payload();

    for (int attempt = 0;; ++attempt) {
      const bool reused = connected();
      if (!reused) connect(method, deadline);

      http::response_parser<http::string_body> parser;
      parser.body_limit(body_limit);
      lowest().expires_at(deadline);
      auto written = run(deadline, false, [&](auto handler) {
        with_stream([&](auto& stream) { http::async_write(stream, request, std::move(handler)); });
      });
      error_code ec = written->error;
      if (!ec) {
        lowest().expires_at(deadline);
        auto read = run(deadline, false, [&](auto handler) {
          with_stream(
              [&](auto& stream) { http::async_read(stream, buffer, parser, std::move(handler)); });
        });
        ec = read->error;
      }
      if (!ec) {
        const bool keep = parser.get().keep_alive();
        Response response{parser.get().result_int(), std::move(parser.get().body())};
        if (!keep) disconnect();
        return response;
      }
      const bool nothing_received = !parser.got_some() && buffer.size() == 0;
      disconnect();
      // A server closes an idle keep-alive connection only between requests, so a reused
      // connection that ends before the first byte of the answer was closed before our
      // request was read, and sending it again cannot do it twice. Anything else (a fresh
      // connection, part of an answer, a timeout) may mean the server acted on it: resending
      // a sendMessage then could deliver it twice, so that is left to the caller.
      if (reused && attempt == 0 && nothing_received && closed_by_peer(ec) && !cancelled.load() &&
          Clock::now() < deadline) {
        continue;
      }
      if (ec == http::error::body_limit) throw network_error(method, "the answer is too large");
      throw network_error(method, describe(ec));
    }
  }
};

BotApi::BotApi(BotApiOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

BotApi::~BotApi() = default;

void BotApi::cancel() {
  impl_->cancelled.store(true);
  // Wakes the caller's run loop, which then closes the socket on its own thread.
  asio::post(impl_->io, [] {});
}

json::value BotApi::call(std::string_view method, const json::object& params,
                         std::chrono::milliseconds extra_timeout) {
  const auto deadline = Clock::now() + impl_->options.timeout + extra_timeout;
  std::string target = impl_->endpoint.prefix;
  target += "/bot";
  target += impl_->options.token;
  target += '/';
  target += method;
  auto response = impl_->exchange(method, http::verb::post, target, json::serialize(params),
                                  kMethodBodyLimit, deadline);
  return interpret(method, response.status, response.body);
}

BotUser BotApi::get_me() {
  const auto result = call("getMe", {});
  BotUser user;
  if (const auto* object = result.if_object()) {
    if (const auto* id = object->if_contains("id"); id && id->is_int64()) user.id = id->get_int64();
    if (const auto* name = object->if_contains("username"); name && name->is_string()) {
      user.username = name->get_string();
    }
  }
  if (user.id == 0) throw network_error("getMe", "the answer has no bot id");
  return user;
}

namespace {

json::array to_array(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return array;
}

std::int64_t int_field(std::string_view method, const json::value& result, std::string_view name) {
  if (const auto* object = result.if_object()) {
    if (const auto* field = object->if_contains(name); field && field->is_int64()) {
      return field->get_int64();
    }
  }
  throw network_error(method, "the answer has no " + std::string(name));
}

}  // namespace

std::vector<json::object> BotApi::get_updates(std::int64_t offset, int timeout_s, int limit,
                                              const std::vector<std::string>& allowed_updates) {
  json::object params{{"offset", offset}, {"timeout", timeout_s}, {"limit", limit}};
  if (!allowed_updates.empty()) params["allowed_updates"] = to_array(allowed_updates);
  const auto result = call("getUpdates", params, std::chrono::seconds(timeout_s));
  const auto* array = result.if_array();
  if (!array) throw network_error("getUpdates", "the answer is not a list of updates");
  std::vector<json::object> updates;
  updates.reserve(array->size());
  for (const auto& update : *array) {
    if (const auto* object = update.if_object()) updates.push_back(*object);
  }
  return updates;
}

std::int64_t BotApi::send_message(const OutgoingMessage& message) {
  json::object params{{"chat_id", message.chat_id}, {"text", message.text}};
  if (!message.parse_mode.empty()) params["parse_mode"] = message.parse_mode;
  if (message.message_thread_id) params["message_thread_id"] = *message.message_thread_id;
  if (message.reply_markup) params["reply_markup"] = *message.reply_markup;
  if (message.reply_to_message_id) {
    // A reply to a message deleted meanwhile is still sent, as a plain message.
    params["reply_parameters"] = json::object{{"message_id", *message.reply_to_message_id},
                                              {"allow_sending_without_reply", true}};
  }
  if (message.disable_web_page_preview) {
    params["link_preview_options"] = json::object{{"is_disabled", true}};
  }
  return int_field("sendMessage", call("sendMessage", params), "message_id");
}

void BotApi::edit_message_text(std::int64_t chat_id, std::int64_t message_id, std::string_view text,
                               const std::optional<json::object>& reply_markup) {
  json::object params{{"chat_id", chat_id},
                      {"message_id", message_id},
                      {"text", text},
                      {"parse_mode", "HTML"},
                      {"link_preview_options", json::object{{"is_disabled", true}}}};
  if (reply_markup) params["reply_markup"] = *reply_markup;
  call("editMessageText", params);
}

void BotApi::edit_message_reply_markup(std::int64_t chat_id, std::int64_t message_id,
                                       const std::optional<json::object>& reply_markup) {
  json::object params{{"chat_id", chat_id}, {"message_id", message_id}};
  if (reply_markup) params["reply_markup"] = *reply_markup;
  call("editMessageReplyMarkup", params);
}

void BotApi::answer_callback_query(std::string_view callback_query_id, std::string_view text) {
  json::object params{{"callback_query_id", callback_query_id}};
  if (!text.empty()) params["text"] = text;
  call("answerCallbackQuery", params);
}

void BotApi::set_my_commands(const std::vector<BotCommand>& commands,
                             std::string_view language_code) {
  json::array list;
  for (const auto& command : commands) {
    list.push_back(
        json::object{{"command", command.command}, {"description", command.description}});
  }
  json::object params{{"commands", std::move(list)}};
  if (!language_code.empty()) params["language_code"] = language_code;
  call("setMyCommands", params);
}

void BotApi::set_chat_menu_button(std::string_view text, std::string_view web_app_url) {
  call(
      "setChatMenuButton",
      json::object{{"menu_button", json::object{{"type", "web_app"},
                                                {"text", text},
                                                {"web_app", json::object{{"url", web_app_url}}}}}});
}

void BotApi::set_webhook(std::string_view url, std::string_view secret_token,
                         const std::vector<std::string>& allowed_updates) {
  json::object params{{"url", url}};
  if (!secret_token.empty()) params["secret_token"] = secret_token;
  if (!allowed_updates.empty()) params["allowed_updates"] = to_array(allowed_updates);
  call("setWebhook", params);
}

void BotApi::delete_webhook(bool drop_pending_updates) {
  call("deleteWebhook", json::object{{"drop_pending_updates", drop_pending_updates}});
}

std::int64_t BotApi::create_forum_topic(std::int64_t chat_id, std::string_view name) {
  return int_field("createForumTopic",
                   call("createForumTopic", json::object{{"chat_id", chat_id}, {"name", name}}),
                   "message_thread_id");
}

FileInfo BotApi::get_file(std::string_view file_id) {
  const auto result = call("getFile", json::object{{"file_id", file_id}});
  FileInfo info;
  const auto* object = result.if_object();
  if (!object) throw network_error("getFile", "the answer is not a file");
  auto text = [&](std::string_view name) {
    const auto* field = object->if_contains(name);
    return field && field->is_string() ? std::string(field->get_string()) : std::string();
  };
  info.file_id = text("file_id");
  info.file_unique_id = text("file_unique_id");
  info.file_path = text("file_path");
  if (const auto* size = object->if_contains("file_size"); size && size->is_int64()) {
    info.file_size = size->get_int64();
  }
  return info;
}

std::string BotApi::download_file(std::string_view file_path) {
  constexpr std::string_view method = "downloadFile";
  const auto deadline = Clock::now() + impl_->options.timeout;
  std::string target = impl_->endpoint.prefix;
  target += "/file/bot";
  target += impl_->options.token;
  target += '/';
  // The path comes from Telegram, but it goes into a request line: percent-encode anything
  // that is not a path character.
  target += boost::urls::encode(file_path, boost::urls::pchars + '/');
  auto response =
      impl_->exchange(method, http::verb::get, target, {}, kDownloadBodyLimit, deadline);
  if (response.status == 200) return std::move(response.body);
  interpret(method, response.status, response.body);
  // A 2xx other than 200, or an error body that says ok:true: not a file either.
  throw network_error(method,
                      "no file in the answer (HTTP " + std::to_string(response.status) + ")");
}

}  // namespace tb::telegram
