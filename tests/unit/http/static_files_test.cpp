#include "http/static_files.hpp"

#include <fstream>
#include <stdlib.h>

#include <gtest/gtest.h>
#include <zlib.h>

namespace tb::http {
namespace {

std::string gunzip(const std::string& input) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string output(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  inflate(&stream, Z_FINISH);
  output.resize(stream.total_out);
  inflateEnd(&stream);
  return output;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  StaticFilesTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-static-XXXXXX").string();
    root_ = mkdtemp(pattern.data());
    std::filesystem::create_directories(root_ / "public" / "js");
    write("public/index.html", "<!doctype html><title>x</title>");
    write("public/js/app.js", std::string(5000, 'a'));  // compresses well
    write("public/logo.png", "\x89PNG....");
    write("secret.txt", "outside the served root");
    files_ = StaticFiles::load(root_ / "public");
  }
  ~StaticFilesTest() override { std::filesystem::remove_all(root_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(root_ / name, std::ios::binary) << content;
  }
  static Request with_header(std::string name, std::string value) {
    Request request;
    request.headers.emplace_back(std::move(name), std::move(value));
    return request;
  }
  static std::string header(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }

  std::filesystem::path root_;
  StaticFiles files_;
};

TEST_F(StaticFilesTest, EmptyPathServesIndexHtml) {
  const auto response = files_.serve("", Request{});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(response.body, "<!doctype html><title>x</title>");
}

TEST_F(StaticFilesTest, ContentTypesFollowExtensions) {
  EXPECT_EQ(files_.serve("js/app.js", Request{}).content_type,
            "application/javascript; charset=utf-8");
  EXPECT_EQ(files_.serve("logo.png", Request{}).content_type, "image/png");
  EXPECT_EQ(content_type_for("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("x.unknown"), "application/octet-stream");
}

TEST_F(StaticFilesTest, MatchingETagGives304WithoutBody) {
  const auto first = files_.serve("js/app.js", Request{});
  const std::string etag = header(first, "ETag");
  ASSERT_EQ(etag.size(), 34u);  // quoted 128-bit hex
  const auto second = files_.serve("js/app.js", with_header("if-none-match", etag));
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(files_.serve("js/app.js", with_header("if-none-match", "\"other\"")).status, 200);
}

TEST_F(StaticFilesTest, GzipOnlyWhenAcceptedAndWorthIt) {
  const auto compressed = files_.serve("js/app.js", with_header("accept-encoding", "gzip, br"));
  EXPECT_EQ(header(compressed, "Content-Encoding"), "gzip");
  EXPECT_LT(compressed.body.size(), 200u);
  EXPECT_EQ(gunzip(compressed.body), std::string(5000, 'a'));
  EXPECT_EQ(header(compressed, "Vary"), "Accept-Encoding");

  const auto plain = files_.serve("js/app.js", Request{});
  EXPECT_EQ(header(plain, "Content-Encoding"), "");
  EXPECT_EQ(plain.body.size(), 5000u);

  // Too small to be worth compressing.
  const auto page = files_.serve("", with_header("accept-encoding", "gzip"));
  EXPECT_EQ(header(page, "Content-Encoding"), "");
}

TEST_F(StaticFilesTest, OnlyLoadedNamesAreServed) {
  EXPECT_EQ(files_.serve("../secret.txt", Request{}).status, 404);
  EXPECT_EQ(files_.serve("js/../../secret.txt", Request{}).status, 404);
  EXPECT_EQ(files_.serve("/etc/passwd", Request{}).status, 404);
  EXPECT_EQ(files_.serve("missing.html", Request{}).status, 404);
  EXPECT_EQ(files_.size(), 3u);
}

TEST_F(StaticFilesTest, PlainNamesAreRevalidatedOnEveryUse) {
  EXPECT_EQ(header(files_.serve("js/app.js", Request{}), "Cache-Control"), "no-cache");
  EXPECT_EQ(header(files_.serve("", Request{}), "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, FingerprintedNamesAreCachedForAYear) {
  files_.add_fingerprinted_names({"index.html"});
  const std::string name = files_.fingerprinted_name("js/app.js");
  ASSERT_TRUE(name.starts_with("js/app.")) << name;
  ASSERT_TRUE(name.ends_with(".js")) << name;
  EXPECT_EQ(name.size(), std::string("js/app.").size() + 10 + 3) << name;

  const auto response = files_.serve(name, Request{});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::string(5000, 'a'));
  EXPECT_EQ(response.content_type, "application/javascript; charset=utf-8");
  EXPECT_EQ(header(response, "Cache-Control"), "public, max-age=31536000, immutable");
  // The plain name still works, for browsers that come without the new names.
  EXPECT_EQ(header(files_.serve("js/app.js", Request{}), "Cache-Control"), "no-cache");
  // 304 and gzip as for the plain name.
  EXPECT_EQ(files_.serve(name, with_header("if-none-match", header(response, "ETag"))).status, 304);
  EXPECT_EQ(header(files_.serve(name, with_header("accept-encoding", "gzip")), "Content-Encoding"),
            "gzip");

  EXPECT_EQ(files_.fingerprinted_name("index.html"), "") << "the page itself keeps its name";
  EXPECT_EQ(files_.fingerprinted_name("missing.js"), "");
  EXPECT_EQ(files_.serve("js/app.0000000000.js", Request{}).status, 404)
      << "only the fingerprint of the content is served";
}

TEST_F(StaticFilesTest, AChangedFileGetsANewNameAndAnUnchangedOneKeepsItsName) {
  files_.add_fingerprinted_names({});
  const std::string script = files_.fingerprinted_name("js/app.js");
  const std::string logo = files_.fingerprinted_name("logo.png");

  write("public/js/app.js", std::string(5000, 'b'));
  StaticFiles next = StaticFiles::load(root_ / "public");
  next.add_fingerprinted_names({});
  EXPECT_NE(next.fingerprinted_name("js/app.js"), script);
  EXPECT_EQ(next.fingerprinted_name("logo.png"), logo);
  EXPECT_EQ(next.serve(script, Request{}).status, 404) << "the old content is gone";
  EXPECT_EQ(next.serve(next.fingerprinted_name("js/app.js"), Request{}).body,
            std::string(5000, 'b'));
}

TEST_F(StaticFilesTest, ReplacedContentGetsANewETag) {
  const std::string before = header(files_.serve("", Request{}), "ETag");
  EXPECT_TRUE(files_.replace("index.html", "<!doctype html><title>y</title>"));
  const auto after = files_.serve("", Request{});
  EXPECT_EQ(after.body, "<!doctype html><title>y</title>");
  EXPECT_NE(header(after, "ETag"), before);
  EXPECT_FALSE(files_.replace("missing.html", "x"));
  EXPECT_EQ(files_.size(), 3u);
}

TEST(FingerprintedFileName, GoesBeforeTheLastExtension) {
  EXPECT_EQ(fingerprinted_file_name("js/main.js", "abc"), "js/main.abc.js");
  EXPECT_EQ(fingerprinted_file_name("vendor/uPlot.min.css", "abc"), "vendor/uPlot.min.abc.css");
  EXPECT_EQ(fingerprinted_file_name("LICENSE", "abc"), "LICENSE.abc");
  EXPECT_EQ(fingerprinted_file_name("a.b/LICENSE", "abc"), "a.b/LICENSE.abc");
  EXPECT_EQ(fingerprinted_file_name(".hidden", "abc"), ".hidden.abc");
}

TEST(StaticFilesLoad, MissingRootIsEmpty) {
  EXPECT_EQ(StaticFiles::load("/nonexistent/web").size(), 0u);
}

}  // namespace
}  // namespace tb::http
