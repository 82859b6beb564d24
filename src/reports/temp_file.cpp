#include "reports/temp_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace tb::reports {

TempFile::TempFile(const std::filesystem::path& directory, std::string_view suffix) {
  std::string pattern = (directory / "ticketbot-report-XXXXXX").string();
  pattern += suffix;
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = ::mkstemps(name.data(), static_cast<int>(suffix.size()));
  if (fd_ < 0) {
    throw std::runtime_error("cannot create a temporary file in " + directory.string() + ": " +
                             std::strerror(errno));
  }
  // The library opens the file by name; this descriptor is not the one it writes through.
  ::close(fd_);
  fd_ = -1;
  path_ = name.data();
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (named_) ::unlink(path_.c_str());
}

void TempFile::start_reading() {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("cannot read back " + path_ + ": " + std::strerror(errno));
  ::unlink(path_.c_str());
  named_ = false;
}

bool TempFile::read(std::string& piece, std::size_t most) {
  piece.resize(most);
  for (;;) {
    const auto got = ::read(fd_, piece.data(), most);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
    piece.resize(static_cast<std::size_t>(got));
    return got > 0;
  }
}

}  // namespace tb::reports
