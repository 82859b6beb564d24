#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.hpp"

namespace tb::http {

// A read-only tree of web assets (the Mini App, the API docs page) loaded into memory at
// start-up, each with its content type, a strong ETag and, where it pays, a gzip copy.
// Serving only names found at load time makes path traversal impossible by construction.
class StaticFiles {
 public:
  // Loads every regular file under `root`. A missing root gives an empty tree.
  static StaticFiles load(const std::filesystem::path& root);

  // Answers GET/HEAD for `relative_path` ("" or a name ending in '/' means its index.html):
  // 200 with the file, 304 when If-None-Match matches, 404 JSON when absent.
  Response serve(std::string_view relative_path, const Request& request) const;

  bool contains(std::string_view relative_path) const;
  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string gzip_body;  // empty when compression does not help
    std::string etag;
    std::string gzip_etag;  // of gzip_body
  };

  std::unordered_map<std::string, File> files_;
};

// The content type for a file name, by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view file_name);

}  // namespace tb::http
