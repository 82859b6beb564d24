// The Store backends the store contract suite (tests/unit/store/store_contract_test.cpp) runs
// against. A backend type is default-constructible, names itself (kName) and makes fresh,
// migrated stores that nothing else uses; whatever it made is gone when it is destroyed.
// A PostgreSQL backend joins with a type here (a fresh database or schema per instance) and
// one INSTANTIATE_TYPED_TEST_SUITE_P line in the suite.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <stdlib.h>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace tb::testing {

// SQLite: a file in a temporary directory of its own, opened by URL as the binary opens it.
class SqliteBackend {
 public:
  static constexpr std::string_view kName = "sqlite";

  SqliteBackend() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-contract-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    directory_ = pattern;
  }
  ~SqliteBackend() {
    std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
    std::filesystem::remove_all(directory_, ignored);
  }
  SqliteBackend(const SqliteBackend&) = delete;
  SqliteBackend& operator=(const SqliteBackend&) = delete;

  // A new, migrated store on a new file; destroy it before this backend.
  std::unique_ptr<store::Store> make() {
    const auto path = directory_ / ("store-" + std::to_string(++made_) + ".db");
    auto store = store::open_store("sqlite:" + path.string(), {});
    store->migrate();
    return store;
  }

 private:
  std::filesystem::path directory_;
  int made_ = 0;
};

}  // namespace tb::testing
