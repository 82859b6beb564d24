#include "test_server.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace tb::testing {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Spawns ticketbot with stdout+stderr into `log_path`; returns the pid.
pid_t spawn(const std::vector<std::string>& arguments,
            const std::map<std::string, std::string>& environment,
            const std::filesystem::path& directory, const std::filesystem::path& log_path) {
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) {
    const std::string item(*entry);
    const auto name = item.substr(0, item.find('='));
    if (!environment.contains(name)) env_strings.push_back(item);
  }
  for (const auto& [name, value] : environment) {
    if (value != kUnset) env_strings.push_back(name + "=" + value);
  }
  std::vector<std::string> argv_strings{TICKETBOT_BINARY};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (chdir(directory.c_str()) != 0) _exit(127);
    std::vector<char*> argv, envp;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

// The port from the server's "listening on http://HOST:PORT" log line; 0 until it appears.
int listening_port(const std::string& log) {
  const std::string marker = "listening on http://";
  const auto start = log.find(marker);
  if (start == std::string::npos) return 0;
  const auto line_end = log.find_first_of(" \r\n", start + marker.size());
  if (line_end == std::string::npos) return 0;
  const auto colon = log.rfind(':', line_end);
  return std::atoi(log.substr(colon + 1, line_end - colon - 1).c_str());
}

}  // namespace

std::filesystem::path make_temp_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ticketbot-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// A chunked body (RFC 9112 §7.1) from `at` in `raw`, without extensions or trailers, into
// `body`; the offset after its last chunk, or nothing while it is incomplete.
std::optional<std::size_t> decode_chunked(const std::string& raw, std::size_t at,
                                          std::string& body) {
  body.clear();
  for (;;) {
    const auto line_end = raw.find("\r\n", at);
    if (line_end == std::string::npos) return std::nullopt;
    const std::size_t size = std::stoul(raw.substr(at, line_end - at), nullptr, 16);
    const std::size_t data = line_end + 2;
    if (raw.size() < data + size + 2) return std::nullopt;
    if (size == 0) return data + 2;
    body.append(raw, data, size);
    at = data + size + 2;
  }
}

std::optional<HttpResponse> parse_response(const std::string& raw, std::size_t& consumed,
                                           bool head_request) {
  const auto header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos) return std::nullopt;
  HttpResponse response;
  std::istringstream lines(raw.substr(0, header_end));
  std::string line;
  std::getline(lines, line);
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) return std::nullopt;
  response.status = std::stoi(line.substr(9, 3));
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[lower(line.substr(0, colon))] = value;
  }
  const std::size_t body_start = header_end + 4;
  if (!head_request && lower(response.header("transfer-encoding")) == "chunked") {
    const auto end = decode_chunked(raw, body_start, response.body);
    if (!end) return std::nullopt;
    consumed = *end;
    return response;
  }
  std::size_t length = 0;
  if (!head_request && response.headers.contains("content-length")) {
    length = std::stoul(response.headers["content-length"]);
  }
  if (raw.size() < body_start + length) return std::nullopt;
  response.body = raw.substr(body_start, length);
  consumed = body_start + length;
  return response;
}

Connection::Connection(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd_);
    throw std::runtime_error("connect failed: " + std::string(std::strerror(errno)));
  }
}

Connection::~Connection() {
  if (fd_ >= 0) close(fd_);
}

void Connection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed: " + std::string(std::strerror(errno)));
    sent += static_cast<std::size_t>(n);
  }
}

std::optional<HttpResponse> Connection::read_response(std::chrono::milliseconds timeout,
                                                      bool head_request) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t consumed = 0;
    if (auto response = parse_response(pending_, consumed, head_request)) {
      pending_.erase(0, consumed);
      return response;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd descriptor{fd_, POLLIN, 0};
    if (poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buffer[65536];
    const auto n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string Connection::read_raw(std::size_t at_least, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending_.size() < at_least) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd descriptor{fd_, POLLIN, 0};
    if (poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[65536];
    const auto n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
  return std::exchange(pending_, {});
}

void Connection::reset() {
  const linger abort{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  close(fd_);
  fd_ = -1;
}

bool Connection::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd descriptor{fd_, POLLIN, 0};
    if (poll(&descriptor, 1, 50) > 0) {
      char buffer[4096];
      const auto n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return true;
    }
  }
  return false;
}

TestServer::TestServer(std::map<std::string, std::string> environment, std::string subcommand)
    : directory_(make_temp_directory()) {
  environment.try_emplace("HTTP_PORT", "0");
  // Most tests set a bot token only to sign logins: the bot itself stays off (it would try
  // api.telegram.org, and its notifier would write in the background) unless a test asks.
  environment.try_emplace("TELEGRAM_MODE", "off");
  environment.try_emplace("HTTP_THREADS", "2");
  environment.try_emplace("DATABASE_URL", "sqlite:" + (directory_ / "test.db").string());
  environment.try_emplace("WEB_ROOT",
                          std::filesystem::path(TICKETBOT_BINARY).parent_path() / "web");
  pid_ = spawn({subcommand}, environment, directory_, directory_ / "server.log");
  // Seeding the demo's 90 days takes seconds, many under ASan on a busy machine.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = log();
    if (const int port = listening_port(text); port > 0) {
      port_ = port;
      return;
    }
    if (wait_for_exit(pid_, std::chrono::milliseconds(20)) >= 0) {
      pid_ = -1;
      throw std::runtime_error("ticketbot exited at start:\n" + text);
    }
  }
  throw std::runtime_error("ticketbot did not start listening:\n" + log());
}

TestServer::~TestServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string TestServer::log() const {
  return read_file(directory_ / "server.log");
}

int TestServer::stop(int signal, std::chrono::milliseconds timeout) {
  kill(pid_, signal);
  const int code = wait_for_exit(pid_, timeout);
  if (code >= 0) pid_ = -1;
  return code;
}

HttpResponse TestServer::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& extra_headers) {
  Connection connection(port_);
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    raw +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  raw += "\r\n" + body;
  connection.send(raw);
  auto response = connection.read_response(std::chrono::seconds(10), method == "HEAD");
  if (!response) throw std::runtime_error("no response to " + method + " " + target);
  return *response;
}

CommandResult run_ticketbot(const std::vector<std::string>& arguments,
                            const std::map<std::string, std::string>& environment,
                            const std::filesystem::path& directory) {
  const auto log_path = directory / "command.log";
  const pid_t pid = spawn(arguments, environment, directory, log_path);
  CommandResult result;
  result.exit_code = wait_for_exit(pid, std::chrono::seconds(30));
  if (result.exit_code < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  result.output = read_file(log_path);
  return result;
}

}  // namespace tb::testing
