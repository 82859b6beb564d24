// CategoryService on a real SQLite file: who sees which categories, who may change them,
// the field rules, and deletion that keeps the history of tickets filed under a category.
#include "service/category_service.hpp"

#include <gtest/gtest.h>

#include "../../support/store_fixture.hpp"

namespace tb::service {
namespace {

class CategoryServiceTest : public testing::StoreFixture {
 protected:
  CategoryServiceTest()
      : admin_(principal(Role::admin, 8001, "Admin")),
        customer_(principal(Role::user, 8002, "Customer")) {}

  Category create(const std::string& name) {
    CategoryFields fields;
    fields.name = name;
    return categories_.create(admin_, fields);
  }

  CategoryService categories_{*store_};
  Principal admin_, customer_;
};

TEST_F(CategoryServiceTest, DeletingAnUnusedCategoryRemovesIt) {
  const auto category = create("Billing");
  categories_.remove(admin_, category.id);
  EXPECT_FALSE(store_->find_category(category.id));
  EXPECT_TRUE(categories_.list(admin_).empty());
}

TEST_F(CategoryServiceTest, DeletingACategoryInUseDeactivatesItInstead) {
  const auto category = create("Billing");
  file_ticket(customer_.id(), category.id);
  categories_.remove(admin_, category.id);
  const auto kept = store_->find_category(category.id);
  ASSERT_TRUE(kept) << "its tickets keep their category";
  EXPECT_FALSE(kept->active);
  ASSERT_EQ(categories_.list(admin_).size(), 1u) << "those who manage categories still see it";
  EXPECT_TRUE(categories_.list(customer_).empty()) << "no one else can choose it";
}

TEST_F(CategoryServiceTest, OnlyThoseWhoManageCategoriesChangeThem) {
  const auto category = create("Billing");
  CategoryFields fields;
  fields.name = "Refunds";
  EXPECT_EQ(code_of([&] { categories_.create(customer_, fields); }), ErrorCode::forbidden);
  EXPECT_EQ(code_of([&] { categories_.update(customer_, category.id, fields); }),
            ErrorCode::forbidden);
  EXPECT_EQ(code_of([&] { categories_.remove(customer_, category.id); }), ErrorCode::forbidden);
  EXPECT_EQ(store_->find_category(category.id)->name, "Billing");
}

TEST_F(CategoryServiceTest, NamesAreRequiredTrimmedAndUnique) {
  EXPECT_EQ(code_of([&] { categories_.create(admin_, CategoryFields{}); }),
            ErrorCode::invalid_request);
  EXPECT_EQ(code_of([&] { create("   "); }), ErrorCode::invalid_request);
  EXPECT_EQ(create("  Billing ").name, "Billing");
  EXPECT_EQ(code_of([&] { create("Billing"); }), ErrorCode::conflict);
}

TEST_F(CategoryServiceTest, SlaMinutesOutsideOneMinuteToAYearAreRefused) {
  const auto category = create("Billing");
  for (const int minutes : {0, -1, kMaxSlaMinutes + 1}) {
    CategoryFields fields;
    fields.sla_minutes = minutes;
    EXPECT_EQ(code_of([&] { categories_.update(admin_, category.id, fields); }),
              ErrorCode::invalid_request)
        << minutes;
  }
  CategoryFields fields;
  fields.sla_minutes = kMaxSlaMinutes;
  EXPECT_EQ(categories_.update(admin_, category.id, fields).sla_minutes, kMaxSlaMinutes);
  fields.sla_minutes = std::optional<int>{};
  EXPECT_EQ(categories_.update(admin_, category.id, fields).sla_minutes, std::nullopt);
}

TEST_F(CategoryServiceTest, AMissingCategoryIsNotFound) {
  EXPECT_EQ(code_of([&] { categories_.update(admin_, 999, CategoryFields{}); }),
            ErrorCode::not_found);
  EXPECT_EQ(code_of([&] { categories_.remove(admin_, 999); }), ErrorCode::not_found);
}

}  // namespace
}  // namespace tb::service
