#include "http/static_files.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "http/content_coding.hpp"
#include "http/error_mapping.hpp"

namespace tb::http {
namespace {

constexpr std::size_t kSmallestWorthCompressing = 1024;
// 40 bits of SHA-256: a collision between two versions of one file is not a real risk.
constexpr std::size_t kFingerprintHexDigits = 10;
// A year (the customary maximum: RFC 2616 asked for no more); `immutable` tells browsers not
// to revalidate even on a reload.
constexpr std::string_view kForever = "public, max-age=31536000, immutable";

bool is_compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/javascript") ||
         content_type.starts_with("image/svg+xml");
}

// A strong validator from the content (its hash in hex, quoted), so it survives restarts and
// differs between builds.
std::string etag_of(const std::string& body) {
  // Appended piece by piece: `"\"" + std::string` trips g++ 12's -Wrestrict (GCC bug 105329).
  std::string etag = "\"";
  etag += to_hex(sha256(body).substr(0, 16));
  etag += '"';
  return etag;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  return if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "application/javascript; charset=utf-8"},
      {".mjs", "application/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (file_name.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

std::string fingerprinted_file_name(std::string_view name, std::string_view fingerprint) {
  const auto slash = name.rfind('/');
  const auto file_start = slash == std::string_view::npos ? 0 : slash + 1;
  auto dot = name.rfind('.');
  // A dot that starts the file name (".hidden") or comes before it is no extension.
  if (dot == std::string_view::npos || dot <= file_start) dot = name.size();
  std::string result(name.substr(0, dot));
  result += '.';
  result += fingerprint;
  result += name.substr(dot);
  return result;
}

StaticFiles::File StaticFiles::make_file(std::string_view name, std::string body) {
  File file;
  file.body = std::move(body);
  file.content_type = std::string(content_type_for(name));
  file.etag = etag_of(file.body);
  if (file.body.size() >= kSmallestWorthCompressing && is_compressible(file.content_type)) {
    std::string compressed = gzip(file.body, 9);
    // Keep the copy only when it saves at least a tenth.
    if (!compressed.empty() && compressed.size() * 10 < file.body.size() * 9) {
      file.gzip_body = std::move(compressed);
      // Another representation, so another validator (RFC 9110 §8.8.3).
      file.gzip_etag = file.etag.substr(0, file.etag.size() - 1) + "-gzip\"";
    }
  }
  return file;
}

StaticFiles StaticFiles::load(const std::filesystem::path& root) {
  StaticFiles tree;
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) return tree;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream input(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << input.rdbuf();
    std::string name = entry.path().lexically_relative(root).generic_string();
    File file = make_file(name, std::move(content).str());
    tree.files_.emplace(std::move(name), std::move(file));
  }
  return tree;
}

std::vector<std::string> StaticFiles::names() const {
  std::vector<std::string> result;
  result.reserve(files_.size());
  for (const auto& [name, file] : files_) result.push_back(name);
  std::sort(result.begin(), result.end());
  return result;
}

const std::string* StaticFiles::content(std::string_view relative_path) const {
  const auto found = files_.find(std::string(relative_path));
  return found == files_.end() ? nullptr : &found->second.body;
}

void StaticFiles::add_fingerprinted_names(std::initializer_list<std::string_view> except) {
  fingerprinted_.clear();
  for (auto& [name, file] : files_) {
    file.fingerprint.clear();
    if (std::find(except.begin(), except.end(), name) != except.end()) continue;
    // The ETag already holds the content's hash: its first digits are the fingerprint.
    file.fingerprint = file.etag.substr(1, kFingerprintHexDigits);
    fingerprinted_.emplace(fingerprinted_file_name(name, file.fingerprint), name);
  }
}

std::string StaticFiles::fingerprinted_name(std::string_view relative_path) const {
  const auto found = files_.find(std::string(relative_path));
  if (found == files_.end() || found->second.fingerprint.empty()) return {};
  return fingerprinted_file_name(relative_path, found->second.fingerprint);
}

bool StaticFiles::replace(std::string_view relative_path, std::string body) {
  const auto found = files_.find(std::string(relative_path));
  if (found == files_.end()) return false;
  found->second = make_file(relative_path, std::move(body));
  return true;
}

bool StaticFiles::contains(std::string_view relative_path) const {
  return files_.contains(std::string(relative_path));
}

Response StaticFiles::serve(std::string_view relative_path, const Request& request) const {
  std::string name(relative_path);
  if (name.empty() || name.ends_with('/')) name += "index.html";
  auto found = files_.find(name);
  bool immutable = false;
  if (found == files_.end()) {
    const auto alias = fingerprinted_.find(name);
    if (alias == fingerprinted_.end()) {
      return error_response(Error(ErrorCode::not_found, "no such file"));
    }
    found = files_.find(alias->second);
    immutable = true;
  }
  const File& file = found->second;

  const bool gzipped = !file.gzip_body.empty() && accepts_gzip(request.header("accept-encoding"));
  const std::string& etag = gzipped ? file.gzip_etag : file.etag;
  Response response;
  response.headers = {{"ETag", etag},
                      {"Cache-Control", immutable ? std::string(kForever) : "no-cache"},
                      {"X-Content-Type-Options", "nosniff"}};
  if (!file.gzip_body.empty()) response.headers.emplace_back("Vary", "Accept-Encoding");
  if (etag_matches(request.header("if-none-match"), etag)) {
    response.status = 304;
    return response;
  }
  response.content_type = file.content_type;
  if (gzipped) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = file.gzip_body;
  } else {
    response.body = file.body;
  }
  return response;
}

}  // namespace tb::http
