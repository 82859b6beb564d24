// Starts the real ticketbot binary on a free loopback port with its own temporary data
// directory, and speaks raw HTTP/1.1 to it over sockets, so tests can send exactly the bytes
// they mean (malformed lines, partial requests) and see exactly what comes back.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace tb::testing {

using Environment = std::map<std::string, std::string>;

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;

  std::string header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Parses one response from the start of `raw`; nullopt when it is incomplete.
// On success, `consumed` is the number of bytes it used.
std::optional<HttpResponse> parse_response(const std::string& raw, std::size_t& consumed,
                                           bool head_request = false);

// A connected loopback socket.
class Connection {
 public:
  explicit Connection(int port);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const std::string& bytes);
  // Reads until one whole response has arrived (or the peer closes / timeout passes).
  std::optional<HttpResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(10), bool head_request = false);
  // The bytes received so far, as they came, once there are at least `at_least` (or the peer
  // closes, or `timeout` passes); what read_response has not consumed comes first.
  std::string read_raw(std::size_t at_least, std::chrono::milliseconds timeout);
  // Closes the connection with a reset (SO_LINGER 0), as a client that vanishes would.
  void reset();
  // True when the server has closed the connection (read returns 0) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;
};

// An environment value that removes the variable instead of setting it.
inline const std::string kUnset = "\x01unset";

class TestServer {
 public:
  // Starts `ticketbot serve` (or another subcommand) with these extra environment settings.
  explicit TestServer(std::map<std::string, std::string> environment = {},
                      std::string subcommand = "serve");
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& directory() const { return directory_; }
  std::string log() const;

  // Sends a signal and waits for the exit status (or -1 when it did not exit in time).
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // One request on a fresh connection.
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& extra_headers = "");

 private:
  std::filesystem::path directory_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs ticketbot to completion with the given arguments and environment, in `directory`.
CommandResult run_ticketbot(const std::vector<std::string>& arguments,
                            const std::map<std::string, std::string>& environment,
                            const std::filesystem::path& directory);

std::filesystem::path make_temp_directory();

}  // namespace tb::testing
