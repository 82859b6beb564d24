#include "api/web_assets.hpp"

#include <fstream>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "api/operations_routes.hpp"

namespace tb::api {
namespace {

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

// The text between `before` and the next `after` in `text`, or empty.
std::string between(const std::string& text, std::string_view before, std::string_view after) {
  const auto start = text.find(before);
  if (start == std::string::npos) return {};
  const auto from = start + before.size();
  const auto end = text.find(after, from);
  return end == std::string::npos ? std::string() : text.substr(from, end - from);
}

// A small Mini App laid out as the build does: a page, a stylesheet, Telegram's script and
// a few modules importing one another (and one only imported dynamically).
class MiniAppAssets : public ::testing::Test {
 protected:
  MiniAppAssets() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-web-XXXXXX").string();
    root_ = mkdtemp(pattern.data());
    std::filesystem::create_directories(root_ / "app" / "js" / "views");
    std::filesystem::create_directories(root_ / "app" / "vendor");
    write("app/index.html",
          "<!doctype html>\n<html>\n<head>\n  <link rel=\"icon\" href=\"data:,\">\n"
          "  <link rel=\"stylesheet\" href=\"app.css\">\n"
          "  <script async id=\"telegram-web-app\" src=\"vendor/telegram-web-app.js\"></script>\n"
          "  <script type=\"module\" src=\"js/main.js\"></script>\n"
          "  <link rel=\"modulepreload\" href=\"js/views/first.js\">\n</head>\n"
          "<body><a href=\"https://example.com/x.js\">x</a><a href=\"#/tickets\">t</a></body>\n"
          "</html>\n");
    write("app/app.css", "body { color: red; }");
    write("app/vendor/telegram-web-app.js", "window.Telegram = {};");
    write(
        "app/js/main.js",
        "// Boots, with code from \"npm\".\nimport { a } from \"./a.js\";\n"
        "import {\n  b,\n} from './b.js';\nconst views = { x: () => import(\"./views/x.js\") };\n");
    write("app/js/a.js", "import { c } from \"./views/c.js\";\nexport const a = 1;\n");
    write("app/js/b.js", "export const b = 2;\n");
    write("app/js/views/c.js", "import { a } from \"../a.js\";\nexport const c = 3;\n");
    write("app/js/views/x.js", "export default 4;\n");
    write("app/js/views/first.js", "import { b } from \"../b.js\";\nimport \"./first_part.js\";\n");
    write("app/js/views/first_part.js", "export const part = 5;\n");
    assets_ = load_web_assets(root_);
    page_ = *assets_.app.content("index.html");
  }
  ~MiniAppAssets() override { std::filesystem::remove_all(root_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(root_ / name, std::ios::binary) << content;
  }

  std::filesystem::path root_;
  WebAssets assets_;
  std::string page_;
};

TEST_F(MiniAppAssets, ThePageNamesTheFingerprintedFiles) {
  const std::string css = assets_.app.fingerprinted_name("app.css");
  const std::string telegram = assets_.app.fingerprinted_name("vendor/telegram-web-app.js");
  const std::string main = assets_.app.fingerprinted_name("js/main.js");
  ASSERT_FALSE(css.empty());
  EXPECT_NE(page_.find("href=\"" + css + "\""), std::string::npos) << page_;
  EXPECT_NE(page_.find("src=\"" + telegram + "\""), std::string::npos) << page_;
  EXPECT_NE(page_.find("<script type=\"module\" src=\"" + main + "\">"), std::string::npos)
      << page_;
  EXPECT_EQ(page_.find("\"app.css\""), std::string::npos);
  // What is not ours stays as written.
  EXPECT_NE(page_.find("href=\"data:,\""), std::string::npos);
  EXPECT_NE(page_.find("href=\"https://example.com/x.js\""), std::string::npos);
  EXPECT_NE(page_.find("href=\"#/tickets\""), std::string::npos);
  // The page itself is always asked for again: it is what names the new files.
  EXPECT_EQ(header(assets_.app.serve("", http::Request{}), "Cache-Control"), "no-cache");
  EXPECT_EQ(header(assets_.app.serve(main, http::Request{}), "Cache-Control"),
            "public, max-age=31536000, immutable");
}

TEST_F(MiniAppAssets, TheImportMapSendsEveryModuleToItsFingerprintedName) {
  const std::string text = between(page_, "<script type=\"importmap\">", "</script>");
  ASSERT_FALSE(text.empty()) << page_;
  const auto imports = boost::json::parse(text).at("imports").as_object();
  for (const std::string name : {"js/main.js", "js/a.js", "js/views/x.js", "app.css"}) {
    ASSERT_TRUE(imports.contains("./" + name)) << name;
    EXPECT_EQ(imports.at("./" + name).as_string(), "./" + assets_.app.fingerprinted_name(name));
  }
  EXPECT_FALSE(imports.contains("./index.html"));
  // Before any module script, or the browser would ignore it.
  EXPECT_LT(page_.find("type=\"importmap\""), page_.find("type=\"module\""));
  EXPECT_LT(page_.find("type=\"importmap\""), page_.find("modulepreload"));
}

TEST_F(MiniAppAssets, TheImportMapIsAllowedByItsHashAlone) {
  const std::string text = between(page_, "<script type=\"importmap\">", "</script>");
  ASSERT_EQ(assets_.app_inline_scripts.rfind("'sha256-", 0), 0u) << assets_.app_inline_scripts;
  EXPECT_EQ(assets_.app_inline_scripts.back(), '\'');
  EXPECT_EQ(assets_.app_inline_scripts.size(), std::string("'sha256-'").size() + 44);
  const std::string policy = mini_app_content_security_policy("", assets_.app_inline_scripts);
  EXPECT_NE(
      policy.find("script-src 'self' https://telegram.org " + assets_.app_inline_scripts + ";"),
      std::string::npos)
      << policy;
  EXPECT_EQ(between(policy, "script-src", ";").find("unsafe"), std::string::npos);
}

TEST_F(MiniAppAssets, ModulesMainImportsArePreloadedButNotDynamicOnes) {
  for (const std::string name : {"js/a.js", "js/b.js", "js/views/c.js"}) {
    EXPECT_NE(page_.find("<link rel=\"modulepreload\" href=\"" +
                         assets_.app.fingerprinted_name(name) + "\">"),
              std::string::npos)
        << name << "\n"
        << page_;
  }
  EXPECT_EQ(page_.find("modulepreload\" href=\"" + assets_.app.fingerprinted_name("js/views/x.js")),
            std::string::npos)
      << "a view is loaded when it is opened";
  EXPECT_EQ(page_.find("modulepreload\" href=\"" + assets_.app.fingerprinted_name("js/main.js")),
            std::string::npos)
      << "main.js has its own script element";
}

// A module the page preloads itself (a first screen, imported later by main.js's router)
// brings what it imports; it is not named twice.
TEST_F(MiniAppAssets, ModulesThePageNamesBringTheirImports) {
  const std::string first = assets_.app.fingerprinted_name("js/views/first.js");
  const std::string part = assets_.app.fingerprinted_name("js/views/first_part.js");
  EXPECT_NE(page_.find("<link rel=\"modulepreload\" href=\"" + part + "\">"), std::string::npos)
      << page_;
  const auto own = page_.find("modulepreload\" href=\"" + first + "\"");
  ASSERT_NE(own, std::string::npos) << page_;
  EXPECT_EQ(page_.find(first, own + first.size() + 30), std::string::npos) << "named once";
  EXPECT_LT(page_.find("type=\"importmap\""), own);
}

TEST_F(MiniAppAssets, AChangedModuleGetsANewNameInThePage) {
  const std::string before = assets_.app.fingerprinted_name("js/b.js");
  const std::string main_before = assets_.app.fingerprinted_name("js/main.js");
  write("app/js/b.js", "export const b = 20;\n");
  const WebAssets next = load_web_assets(root_);
  const std::string after = next.app.fingerprinted_name("js/b.js");
  EXPECT_NE(after, before);
  EXPECT_EQ(next.app.fingerprinted_name("js/main.js"), main_before)
      << "modules that import it keep their names: the import map points to the new one";
  const std::string page = *next.app.content("index.html");
  EXPECT_NE(page.find("\"./" + after + "\""), std::string::npos);
  EXPECT_EQ(page.find(before), std::string::npos);
  EXPECT_NE(header(next.app.serve("", http::Request{}), "ETag"),
            header(assets_.app.serve("", http::Request{}), "ETag"));
}

TEST(MiniAppAssetsLoad, NoPageNoImportMap) {
  const WebAssets assets = load_web_assets("/nonexistent/web");
  EXPECT_EQ(assets.app.size(), 0u);
  EXPECT_EQ(assets.app_inline_scripts, "");
}

}  // namespace
}  // namespace tb::api
