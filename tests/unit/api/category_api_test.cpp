// Categories through the routing table on a real SQLite file: the range of each numeric
// field. Deleting a category in use, and auto-replies, are in ticket_api_test.cpp with the
// tickets they concern.
#include "../../support/app_fixture.hpp"

namespace tb {
namespace {

using http::Method;

class CategoryApi : public testing::AppFixture {
 protected:
  void SetUp() override {
    start();
    admin_ = demo_token(Role::admin);
    billing_ = create_category(R"({"name":"Billing","sla_minutes":60})");
    technical_ = create_category(R"({"name":"Technical"})");
  }

  std::int64_t create_category(const std::string& body) {
    const auto response = call(Method::post, "/categories", body, admin_);
    EXPECT_EQ(response.status, 201) << response.body;
    return json(response).at("id").as_int64();
  }

  std::string admin_;
  std::int64_t billing_ = 0, technical_ = 0;
};

TEST_F(CategoryApi, OutOfRangeSlaMinutesIs400AndStoresNothing) {
  const auto category_path = "/categories/" + std::to_string(billing_);
  for (const std::string minutes : {"4294967356", "2147483648", "-4294967236", "0", "-1", "525601",
                                    "9223372036854775807", "1e3"}) {
    expect_invalid_naming(
        call(Method::put, category_path, R"({"sla_minutes":)" + minutes + "}", admin_),
        "sla_minutes", minutes);
    expect_invalid_naming(call(Method::post, "/categories",
                               R"({"name":"New","sla_minutes":)" + minutes + "}", admin_),
                          "sla_minutes", minutes);
  }
  const auto categories = json(call(Method::get, "/categories", "", admin_));
  ASSERT_EQ(categories.at("items").as_array().size(), 2u) << categories;
  for (const auto& category : categories.at("items").as_array()) {
    if (category.at("id").as_int64() == billing_) {
      EXPECT_EQ(category.at("sla_minutes").as_int64(), 60);
    }
  }
  const auto year = call(Method::put, category_path, R"({"sla_minutes":525600})", admin_);
  ASSERT_EQ(year.status, 200) << year.body;
  EXPECT_EQ(json(year).at("sla_minutes").as_int64(), 525600);
  const auto none = call(Method::put, category_path, R"({"sla_minutes":null})", admin_);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(json(none).at("sla_minutes").is_null());
}

TEST_F(CategoryApi, OutOfIntRangePositionIs400AndStoresNothing) {
  const auto category_path = "/categories/" + std::to_string(technical_);
  ASSERT_EQ(call(Method::put, category_path, R"({"position":7})", admin_).status, 200);
  for (const std::string position : {"2147483648", "-2147483649", "4294967296",
                                     "9223372036854775807", "18446744073709551615", "2.5"}) {
    expect_invalid_naming(
        call(Method::put, category_path, R"({"position":)" + position + "}", admin_), "position",
        position);
    expect_invalid_naming(
        call(Method::post, "/categories", R"({"name":"New","position":)" + position + "}", admin_),
        "position", position);
  }
  const auto categories = json(call(Method::get, "/categories", "", admin_));
  ASSERT_EQ(categories.at("items").as_array().size(), 2u) << categories;
  for (const auto& category : categories.at("items").as_array()) {
    if (category.at("id").as_int64() == technical_) {
      EXPECT_EQ(category.at("position").as_int64(), 7);
    }
  }
  const auto largest = call(Method::put, category_path, R"({"position":2147483647})", admin_);
  ASSERT_EQ(largest.status, 200) << largest.body;
  EXPECT_EQ(json(largest).at("position").as_int64(), 2147483647);
}

}  // namespace
}  // namespace tb
