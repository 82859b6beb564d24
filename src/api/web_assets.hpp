// The web assets the server serves: the Mini App (with fingerprinted names for everything
// but its page, so browsers keep them a year) and the API docs page.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/static_files.hpp"

namespace tb::api {

struct WebAssets {
  http::StaticFiles app;   // the Mini App, served at /app/
  http::StaticFiles docs;  // the API docs page and swagger-ui, served at /docs
  // Hash sources ('sha256-…') for the inline scripts of the Mini App's page (its import
  // map), for the script-src of its Content-Security-Policy; empty when it has none.
  std::string app_inline_scripts;
};

// Loads <web_root>/app and <web_root>/docs into memory, and prepares the Mini App with
// prepare_mini_app().
WebAssets load_web_assets(const std::filesystem::path& web_root);

// Gives every Mini App file but index.html its fingerprinted name (http::StaticFiles), then
// rewrites index.html to use them: its src= and href= references to our files, an import
// map that sends every module import (`import … from "./dom.js"`, `import("./views/…")`) and
// every import.meta.resolve() to the fingerprinted name, and modulepreload links for the
// modules that the modules the page names (under js/: its module script, modulepreload links
// of its own) import, directly or not, so the browser fetches them at once instead of one
// level of imports at a time. Done at load rather than at build: the source files keep their
// names and their imports, and the hashes always match what is served. Returns the hash
// sources for the page's inline scripts (WebAssets::app_inline_scripts).
std::string prepare_mini_app(http::StaticFiles& app);

}  // namespace tb::api
