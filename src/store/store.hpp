// tb::store — persistence. The Store interface is what services see; each backend lives in
// its own folder (sqlite/ now, postgres/ later) and keeps its SQL dialect there. Nothing
// here knows about HTTP or Telegram.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

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
};

struct StoreOptions {
  int reader_connections = 4;
  int busy_timeout_ms = 5000;
};

// Opens the store that `database_url` names (`sqlite:path`). Throws StoreConfigError when the
// URL or the database is unusable, naming what is wrong in one line.
std::unique_ptr<Store> open_store(const std::string& database_url, const StoreOptions& options);

}  // namespace tb::store
