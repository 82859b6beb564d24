// Where http::Server runs a request's handler: connections dealt out to one-thread
// io_contexts, quick reads on the connection's thread when the server is told they are
// quick, everything that may block for long on a pool — and a handler blocked on the pool
// never holds up the other connections of its thread.
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/server.hpp"

namespace tb::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A thread per io_context, as app::Runtime runs them.
struct Threads {
  explicit Threads(std::size_t connection_threads) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    for (std::size_t i = 0; i < connection_threads; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    for (auto& context : contexts) {
      work.emplace_back(context->get_executor());
      threads.emplace_back([context = context.get()] { context->run(); });
    }
  }
  ~Threads() {
    for (auto& guard : work) guard.reset();
    for (auto& context : contexts) context->stop();
    for (auto& thread : threads) thread.join();
    reads.join();
    writes.join();
  }
  ServerThreads lend() {
    std::vector<asio::io_context*> connections;
    for (std::size_t i = 1; i < contexts.size(); ++i) connections.push_back(contexts[i].get());
    return ServerThreads{*contexts[0], reads, writes, connections};
  }
  // The id of the thread that runs contexts[index].
  std::thread::id thread_of(std::size_t index) {
    std::promise<std::thread::id> id;
    asio::post(*contexts[index], [&] { id.set_value(std::this_thread::get_id()); });
    return id.get_future().get();
  }

  std::vector<std::unique_ptr<asio::io_context>> contexts;  // [0]: the shared io
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  asio::thread_pool reads{2};
  asio::thread_pool writes{2};
};

// One keep-alive connection speaking plain HTTP/1.1.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send_get(const std::string& path) {
    send_raw("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
  }
  void send_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // The status line and header of the next response, up to the blank line.
  std::string read_head() {
    std::string head;
    char byte = 0;
    while (!head.ends_with("\r\n\r\n")) {
      asio::read(socket_, asio::buffer(&byte, 1));
      head += byte;
    }
    return head;
  }
  // The body of the next response (each test route answers a short body, Content-Length set).
  std::string read_body() {
    const auto head = read_head();
    const auto at = head.find("Content-Length: ");
    const auto length = std::stoul(head.substr(at + 16));
    std::string body(length, '\0');
    asio::read(socket_, asio::buffer(body));
    return body;
  }
  std::string get(const std::string& path) {
    send_get(path);
    return read_body();
  }

 private:
  asio::io_context io_;
  tcp::socket socket_{io_};
};

std::string id_text(std::thread::id id) {
  std::ostringstream text;
  text << id;
  return text.str();
}

// Far more than a socket's buffers hold, and no two stretches alike, so that a byte sent twice
// or skipped shows.
std::string large_body() {
  std::string body(8 << 20, '\0');
  std::uint32_t state = 1;
  for (char& c : body) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  return body;
}

struct Fixture {
  Fixture(std::size_t connection_threads, bool quick_reads_inline) : threads(connection_threads) {
    const auto where = [](Request&) {
      return Response::text(200, "text/plain", id_text(std::this_thread::get_id()));
    };
    router.add(Method::get, "/quick", where, Execution::quick_read);
    router.add(Method::get, "/pool", where, Execution::worker_pool);
    router.add(Method::get, "/chosen", where, [](const Request& request) {
      return request.query_param("slow") ? Execution::worker_pool : Execution::quick_read;
    });
    router.add(Method::get, "/split", [](Request&) {
      auto response = Response::text(200, "text/plain", "ok");
      response.headers.emplace_back("X-Note", "a\r\nSet-Cookie: stolen=1\r\n\r\nbody");
      return response;
    });
    router.add(Method::get, "/large", [](Request&) {
      return Response::text(200, "application/octet-stream", large_body());
    });
    router.add(Method::post, "/echo",
               [](Request& request) { return Response::text(200, "text/plain", request.body); });
    router.add(Method::get, "/headers", [](Request& request) {
      std::string listed;
      for (const auto& [name, value] : request.headers) listed += name + "=" + value + "\n";
      return Response::text(200, "text/plain", listed);
    });
    router.add(Method::get, "/blocked", [this](Request&) {
      release.wait();
      return Response::text(200, "text/plain", "released");
    });
    metrics.set_routes({});
    ServerOptions options;
    options.port = 0;
    options.quick_reads_inline = quick_reads_inline;
    server = std::make_unique<Server>(options, threads.lend(), router, metrics);
    server->start();
  }
  ~Fixture() {
    released.set_value();
    server->request_stop();
    server->wait_until_drained();
    server.reset();
  }

  Threads threads;
  Router router;
  Metrics metrics;
  std::promise<void> released;
  std::shared_future<void> release = released.get_future().share();
  std::unique_ptr<Server> server;
};

TEST(ServerThreads, ConnectionsAreDealtOutToTheConnectionThreadsInTurn) {
  Fixture fixture(2, /*quick_reads_inline=*/true);
  const std::set<std::string> connection_threads{id_text(fixture.threads.thread_of(1)),
                                                 id_text(fixture.threads.thread_of(2))};
  std::set<std::string> seen;
  Client first(fixture.server->port());
  Client second(fixture.server->port());
  for (int i = 0; i < 3; ++i) {
    const auto on_first = first.get("/quick");
    const auto on_second = second.get("/quick");
    EXPECT_TRUE(connection_threads.contains(on_first)) << on_first;
    EXPECT_EQ(first.get("/quick"), on_first) << "a connection stays on its thread";
    seen.insert(on_first);
    seen.insert(on_second);
  }
  EXPECT_EQ(seen, connection_threads);
}

TEST(ServerThreads, QuickReadsRunOnTheConnectionThreadOnlyWhenToldTheyAreQuick) {
  for (const bool inline_reads : {true, false}) {
    Fixture fixture(1, inline_reads);
    const auto connection_thread = id_text(fixture.threads.thread_of(1));
    Client client(fixture.server->port());
    EXPECT_EQ(client.get("/quick") == connection_thread, inline_reads);
    EXPECT_NE(client.get("/pool"), connection_thread);
    EXPECT_EQ(client.get("/chosen") == connection_thread, inline_reads);
    EXPECT_NE(client.get("/chosen?slow=1"), connection_thread);
  }
}

TEST(ServerThreads, AHandlerBlockedOnThePoolHoldsUpNoOtherConnectionOfItsThread) {
  Fixture fixture(1, /*quick_reads_inline=*/true);
  Client waiting(fixture.server->port());
  waiting.send_get("/blocked");
  Client other(fixture.server->port());  // on the same, only, connection thread
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(other.get("/quick").empty());
  fixture.released.set_value();
  EXPECT_EQ(waiting.read_body(), "released");
  fixture.released = std::promise<void>();  // the destructor releases again, harmlessly
}

// A header value with a line break (from whatever a handler put in it) stays one header line.
TEST(ServerResponses, AHeaderValueCannotSplitTheResponse) {
  Fixture fixture(1, /*quick_reads_inline=*/true);
  Client client(fixture.server->port());
  client.send_get("/split");
  const auto head = client.read_head();
  EXPECT_NE(head.find("X-Note: a  Set-Cookie: stolen=1    body\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nContent-Length: 2\r\n"), std::string::npos) << head;
}

// Most answers go out in one send; one the kernel cannot take at once is finished after waiting
// for room, from where the first send stopped.
TEST(ServerResponses, AnAnswerLargerThanTheSocketTakesArrivesWholeToASlowReader) {
  Fixture fixture(1, /*quick_reads_inline=*/true);
  Client client(fixture.server->port());
  client.send_get("/large");
  std::this_thread::sleep_for(200ms);  // the server's first send fills the socket's buffers
  EXPECT_TRUE(client.read_body() == large_body());
  EXPECT_FALSE(client.get("/quick").empty());  // and the connection goes on
}

// A request is read without waiting when it has arrived whole; one that comes in pieces, its
// header split and its body late, is read once it has all come.
TEST(ServerResponses, ARequestSentInPiecesIsAnsweredOnceItIsWhole) {
  Fixture fixture(1, /*quick_reads_inline=*/true);
  Client client(fixture.server->port());
  const std::string header = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\n";
  client.send_raw(header.substr(0, 9));
  std::this_thread::sleep_for(50ms);
  client.send_raw(header.substr(9));
  std::this_thread::sleep_for(50ms);
  client.send_raw("hello ");
  std::this_thread::sleep_for(50ms);
  client.send_raw("world");
  EXPECT_EQ(client.read_body(), "hello world");
  // And one whole request after another on the same connection, sent together.
  client.send_raw(header + "first piece" + header + "other piece");
  EXPECT_EQ(client.read_body(), "first piece");
  EXPECT_EQ(client.read_body(), "other piece");
}

// A request's fields are kept in an arena of 1 KB per request; a header larger than that takes
// more from the heap, and every field arrives intact, request after request on one connection.
TEST(ServerResponses, HeaderFieldsBeyondTheArenaArriveIntact) {
  Fixture fixture(1, /*quick_reads_inline=*/true);
  Client client(fixture.server->port());
  const auto request_with = [](int fields) {
    std::string request = "GET /headers HTTP/1.1\r\nHost: test\r\n";
    std::string expected = "host=test\n";
    for (int i = 0; i < fields; ++i) {
      const std::string value =
          std::to_string(i) + std::string(60, static_cast<char>('a' + i % 26));
      request += "X-Field-" + std::to_string(i) + ": " + value + "\r\n";
      expected += "x-field-" + std::to_string(i) + "=" + value + "\n";
    }
    return std::pair{request + "\r\n", expected};
  };
  for (const int fields : {80, 1, 80, 0, 200}) {
    const auto [request, expected] = request_with(fields);
    client.send_raw(request);
    EXPECT_EQ(client.read_body(), expected) << fields << " fields";
  }
}

}  // namespace
}  // namespace tb::http
