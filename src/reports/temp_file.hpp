#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tb::reports {

// A private file (mode 0600) in a temporary directory for a library that can only write a
// whole file (libxlsxwriter, libharu), read back afterwards in pieces. It is removed when this
// object goes, or as soon as reading begins: the open descriptor keeps the bytes until read,
// so a client that goes away, or a crash, leaves nothing behind once reading has begun.
class TempFile {
 public:
  TempFile(const std::filesystem::path& directory, std::string_view suffix);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

  // Opens what the library wrote and removes its name. Throws std::runtime_error on failure.
  void start_reading();
  // Replaces `piece` with up to `most` next bytes; false at the end of the file.
  bool read(std::string& piece, std::size_t most);

 private:
  std::string path_;
  int fd_ = -1;
  bool named_ = true;
};

}  // namespace tb::reports
