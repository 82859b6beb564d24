// Runs tests/fakes/fake_bot_api.py as a child process on a free loopback port and speaks its
// control API (tests/fakes/README.md) over plain sockets, so a test can inject failures and
// read back the calls it made without any client of ours in between.
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>

namespace tb::testing {

// A loopback port nobody listens on (bound, then released).
inline int unused_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

class FakeBotApi {
 public:
  static constexpr const char* kToken = "7000000001:fake-token";

  explicit FakeBotApi(std::vector<std::string> extra_arguments = {}) {
    log_path_ =
        std::filesystem::temp_directory_path() /
        ("fake_bot_api_" + std::to_string(getpid()) + "_" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".log");
    std::vector<std::string> arguments{
        "python3", std::string(TICKETBOT_SOURCE_DIR) + "/tests/fakes/fake_bot_api.py", "--port",
        "0"};
    arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const FILE* log = std::freopen(log_path_.c_str(), "w", stdout);
      if (!log) _exit(127);
      dup2(STDOUT_FILENO, STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::string prefix = "listening on http://127.0.0.1:";
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream file(log_path_);
      std::string line;
      if (std::getline(file, line) && line.rfind(prefix, 0) == 0 && !file.eof()) {
        port_ = std::stoi(line.substr(prefix.size()));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("the fake Bot API server did not start");
  }

  ~FakeBotApi() { stop(); }
  FakeBotApi(const FakeBotApi&) = delete;
  FakeBotApi& operator=(const FakeBotApi&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // POST /control/<verb> with a JSON body; the parsed answer. Throws unless 200.
  boost::json::value control(const std::string& verb, const boost::json::object& body = {}) {
    return exchange("POST", "/control/" + verb, boost::json::serialize(body));
  }
  // GET /control/<verb>?<query>.
  boost::json::value read(const std::string& verb, const std::string& query = "") {
    return exchange("GET", "/control/" + verb + (query.empty() ? "" : "?" + query), "");
  }
  // The calls of one method the fake recorded, oldest first.
  boost::json::array calls(const std::string& method) {
    return read("calls", "method=" + method).as_object().at("calls").as_array();
  }

 private:
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      int status = 0;
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      pid_ = -1;
    }
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
  }

  boost::json::value exchange(const std::string& method, const std::string& target,
                              const std::string& body) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd);
      throw std::runtime_error("cannot connect to the fake Bot API server");
    }
    const std::string request = method + " " + target +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                "Content-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    for (std::size_t sent = 0; sent < request.size();) {
      const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    std::string response;
    char chunk[65536];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd waiting{fd, POLLIN, 0};
      if (poll(&waiting, 1, 100) <= 0) continue;
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      response.append(chunk, static_cast<std::size_t>(n));
    }
    close(fd);
    const auto head_end = response.find("\r\n\r\n");
    if (response.rfind("HTTP/1.1 200", 0) != 0 || head_end == std::string::npos) {
      throw std::runtime_error("fake control " + target + " failed: " + response);
    }
    return boost::json::parse(response.substr(head_end + 4));
  }

  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace tb::testing
