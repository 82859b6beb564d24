#include "api/web_assets.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace tb::api {
namespace {

constexpr std::string_view kPage = "index.html";
constexpr std::string_view kModules = "js/";  // our ES modules; vendor/ holds classic scripts
constexpr auto npos = std::string_view::npos;

// Standard base64 with padding (RFC 4648 §4), as CSP hash sources are written.
std::string base64(std::string_view bytes) {
  std::string text = base64url_encode(bytes);
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4 != 0) text += '=';
  return text;
}

// A reference in the page to one of our files ("app.css", "./js/main.js") → that file's
// name; empty for anything else (other origins, absolute paths, data:, queries, fragments).
std::string local_name(std::string_view reference) {
  if (reference.starts_with("./")) reference.remove_prefix(2);
  if (reference.empty() || reference.starts_with('/') || reference.find_first_of(":?#") != npos) {
    return {};
  }
  return std::string(reference);
}

// `html` with every src="…" and href="…" that names one of our files changed to the file's
// fingerprinted name; the names found go to `referenced`. Attribute values are taken as
// written in our own index.html: double quotes, no entities.
std::string rewrite_references(std::string_view html, const http::StaticFiles& app,
                               std::vector<std::string>& referenced) {
  static constexpr std::string_view kAttributes[] = {" src=\"", " href=\""};
  std::string result;
  std::size_t at = 0;
  for (;;) {
    std::size_t next = npos;
    std::size_t value_start = 0;
    for (const auto attribute : kAttributes) {
      const auto found = html.find(attribute, at);
      if (found < next) {
        next = found;
        value_start = found + attribute.size();
      }
    }
    if (next == npos) break;
    const auto value_end = html.find('"', value_start);
    if (value_end == npos) break;
    result += html.substr(at, value_start - at);
    const auto value = html.substr(value_start, value_end - value_start);
    const auto name = local_name(value);
    const auto fingerprinted = name.empty() ? std::string() : app.fingerprinted_name(name);
    if (fingerprinted.empty()) {
      result += value;
    } else {
      result += fingerprinted;
      referenced.push_back(name);
    }
    at = value_end;
  }
  result += html.substr(at);
  return result;
}

// The modules that `name` imports statically (`import … from "./x.js"`, `export … from`,
// `import "./x.js"`; not `import()`), as names of files in `app`. A plain scan rather than a
// parser: a specifier only counts when it is relative and names a file we have, so text
// that merely looks like an import (in a comment) can at worst preload a module of ours.
std::vector<std::string> static_imports(std::string_view name, std::string_view source,
                                        const http::StaticFiles& app) {
  static constexpr std::string_view kIntroducers[] = {"from \"", "from '", "import \"", "import '"};
  const auto slash = name.rfind('/');
  const std::string directory(slash == npos ? std::string_view() : name.substr(0, slash + 1));
  std::vector<std::string> result;
  for (const auto introducer : kIntroducers) {
    const char quote = introducer.back();
    for (auto found = source.find(introducer); found != npos;
         found = source.find(introducer, found + 1)) {
      const auto start = found + introducer.size();
      const auto end = source.find(quote, start);
      if (end == npos) break;
      const auto specifier = source.substr(start, end - start);
      if (!specifier.starts_with("./") && !specifier.starts_with("../")) continue;
      std::string resolved = std::filesystem::path(directory + std::string(specifier))
                                 .lexically_normal()
                                 .generic_string();
      if (app.content(resolved) != nullptr) result.push_back(std::move(resolved));
    }
  }
  return result;
}

// Every module the `entries` import statically, directly or through others, but not the
// entries themselves.
std::set<std::string> import_closure(const std::vector<std::string>& entries,
                                     const http::StaticFiles& app) {
  std::set<std::string> seen(entries.begin(), entries.end());
  std::vector<std::string> pending(entries.begin(), entries.end());
  while (!pending.empty()) {
    const std::string name = std::move(pending.back());
    pending.pop_back();
    const std::string* source = app.content(name);
    if (source == nullptr) continue;
    for (auto& imported : static_imports(name, *source, app)) {
      if (seen.insert(imported).second) pending.push_back(std::move(imported));
    }
  }
  for (const auto& entry : entries) seen.erase(entry);
  return seen;
}

}  // namespace

std::string prepare_mini_app(http::StaticFiles& app) {
  app.add_fingerprinted_names({kPage});
  const std::string* page = app.content(kPage);
  if (page == nullptr) return {};
  std::vector<std::string> referenced;
  std::string html = rewrite_references(*page, app, referenced);
  // The modules the page names (its module script, modulepreload links of its own).
  std::vector<std::string> entries;
  for (auto& name : referenced) {
    if (name.starts_with(kModules) && name.ends_with(".js")) entries.push_back(std::move(name));
  }

  // Keys and values are relative to the page (/app/), so they hold behind a path prefix.
  boost::json::object imports;
  for (const auto& name : app.names()) {
    const auto fingerprinted = app.fingerprinted_name(name);
    if (!fingerprinted.empty()) imports["./" + name] = "./" + fingerprinted;
  }
  const std::string import_map = boost::json::serialize(boost::json::object{{"imports", imports}});

  // The import map must come before any module is fetched, modulepreload included.
  std::string head = "<script type=\"importmap\">" + import_map + "</script>\n";
  for (const auto& name : import_closure(entries, app)) {
    head += "  <link rel=\"modulepreload\" href=\"" + app.fingerprinted_name(name) + "\">\n";
  }
  head += "  ";
  auto insert_at = std::min(html.find("<script"), html.find("<link rel=\"modulepreload\""));
  if (insert_at == std::string::npos) insert_at = html.find("</head>");
  if (insert_at == std::string::npos) return {};
  html.insert(insert_at, head);
  app.replace(kPage, std::move(html));
  return "'sha256-" + base64(sha256(import_map)) + "'";
}

WebAssets load_web_assets(const std::filesystem::path& web_root) {
  WebAssets assets{http::StaticFiles::load(web_root / "app"),
                   http::StaticFiles::load(web_root / "docs"), ""};
  assets.app_inline_scripts = prepare_mini_app(assets.app);
  return assets;
}

}  // namespace tb::api
