#include "app/logging.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tb::app {
namespace {

const auto kTime =
    std::chrono::system_clock::time_point(std::chrono::milliseconds(1'764'082'200'123));

TEST(JsonLog, OneObjectWithTimeLevelAndMessage) {
  EXPECT_EQ(
      json_log_line(kTime, "info", "listening"),
      "{\"time\":\"2025-11-25T14:50:00.123Z\",\"level\":\"info\",\"message\":\"listening\"}\n");
}

TEST(JsonLog, EscapesWhateverTheMessageHolds) {
  const std::string message =
      std::string("say \"hi\" \\ tab\tnew\nline nul") + '\0' + "\x01 caf\xc3\xa9 bad\xff\xc3 end";
  const auto line = json_log_line(kTime, "warning", message);
  ASSERT_TRUE(line.ends_with("}\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  const auto value = boost::json::parse(line);
  EXPECT_EQ(value.at("message").as_string(),
            std::string("say \"hi\" \\ tab\tnew\nline nul") + '\0' +
                "\x01 caf\xc3\xa9 bad\xef\xbf\xbd\xef\xbf\xbd end");
  EXPECT_EQ(value.at("level").as_string(), "warning");
}

}  // namespace
}  // namespace tb::app
