#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.hpp"

namespace tb::http {

// A read-only tree of web assets (the Mini App, the API docs page) loaded into memory at
// start-up, each with its content type, a strong ETag and, where it pays, a gzip copy.
// Serving only names found at load time makes path traversal impossible by construction.
//
// A file may also get a fingerprinted name, with a hash of its content before the
// extension ("js/main.js" → "js/main.1a2b3c4d5e.js"). That name changes whenever the
// content does, so it is served to be cached for a year without asking again (`immutable`);
// the plain name stays, served `no-cache` (revalidated with the ETag on every use).
class StaticFiles {
 public:
  // Loads every regular file under `root`. A missing root gives an empty tree.
  static StaticFiles load(const std::filesystem::path& root);

  // Answers GET/HEAD for `relative_path` ("" or a name ending in '/' means its index.html):
  // 200 with the file, 304 when If-None-Match matches, 404 JSON when absent.
  Response serve(std::string_view relative_path, const Request& request) const;

  bool contains(std::string_view relative_path) const;
  std::size_t size() const { return files_.size(); }
  // Every plain name, sorted.
  std::vector<std::string> names() const;
  // The content of a file, or nullptr when there is no such (plain) name.
  const std::string* content(std::string_view relative_path) const;

  // Gives every file but those named in `except` its fingerprinted name. Call after the
  // last replace() of a file that gets one, or its name would not follow its content.
  void add_fingerprinted_names(std::initializer_list<std::string_view> except);
  // The fingerprinted name of a file, or empty when it has none.
  std::string fingerprinted_name(std::string_view relative_path) const;
  // Replaces the content of a file (of a plain name that exists; false otherwise), with a
  // new ETag and gzip copy.
  bool replace(std::string_view relative_path, std::string body);

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string gzip_body;  // empty when compression does not help
    std::string etag;
    std::string gzip_etag;    // of gzip_body
    std::string fingerprint;  // hex, of the content; empty until add_fingerprinted_names
  };

  static File make_file(std::string_view name, std::string body);

  std::unordered_map<std::string, File> files_;
  std::unordered_map<std::string, std::string> fingerprinted_;  // fingerprinted → plain name
};

// "js/main.js" with fingerprint "1a2b" → "js/main.1a2b.js"; the fingerprint goes before the
// last extension of the file name (after the name when it has none).
std::string fingerprinted_file_name(std::string_view name, std::string_view fingerprint);

// The content type for a file name, by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view file_name);

}  // namespace tb::http
