#include "core/canned_reply.hpp"

#include <gtest/gtest.h>

namespace tb {
namespace {

using Names = std::vector<std::string>;

TEST(CannedReplyPlaceholders, KnownNamesAreAcceptedAndOthersNamedOnceInOrder) {
  EXPECT_EQ(unknown_placeholders("Hello {customer_name}, #{ticket_id} ({ticket_subject}) — "
                                 "{agent_name}"),
            Names{});
  EXPECT_EQ(unknown_placeholders("Hi {custmer_name} and {Agent} and {custmer_name}"),
            (Names{"custmer_name", "Agent"}));
}

TEST(CannedReplyPlaceholders, BracesAroundAnythingElseArePlainText) {
  EXPECT_EQ(unknown_placeholders("{} { } {a b} {ü} {{ }} {unclosed and } a lone { or }"), Names{});
  EXPECT_EQ(unknown_placeholders("a JSON-ish {\"key\": 1}"), Names{});
}

TEST(CannedReplyPlaceholders, FillingReplacesKnownNamesOnlyAndNeverExpandsValues) {
  const std::map<std::string, std::string, std::less<>> values = {
      {"customer_name", "{agent_name}"}, {"ticket_id", "42"}, {"agent_name", "Ann"}};
  EXPECT_EQ(fill_placeholders("Dear {customer_name}, #{ticket_id} from {agent_name}", values),
            "Dear {agent_name}, #42 from Ann");
  // An unknown name, and a known one without a value, stay as they are.
  EXPECT_EQ(fill_placeholders("{other} {ticket_subject} {", values), "{other} {ticket_subject} {");
}

}  // namespace
}  // namespace tb
