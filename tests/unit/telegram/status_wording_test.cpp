// A status tells a customer what it means for them, in the same words as the Mini App's
// customer views; staff read its plain name.
#include <gtest/gtest.h>

#include "telegram/texts.hpp"

namespace tb::telegram {
namespace {

TEST(StatusWording, CustomersReadWhatAStatusMeansForThem) {
  EXPECT_EQ(status_line(Language::en, TicketStatus::waiting, Audience::customer),
            "Status: waiting for your reply");
  EXPECT_EQ(status_line(Language::en, TicketStatus::in_progress, Audience::customer),
            "Status: we're on it");
  EXPECT_EQ(status_line(Language::ru, TicketStatus::waiting, Audience::customer),
            "Статус: ждём вашего ответа");
  EXPECT_EQ(customer_status(Language::ru, TicketStatus::in_progress), "мы занимаемся");
}

TEST(StatusWording, StaffReadWhoIsAwaited) {
  EXPECT_EQ(status_line(Language::en, TicketStatus::waiting, Audience::staff),
            "Status: waiting for the customer");
  EXPECT_EQ(status_line(Language::ru, TicketStatus::waiting, Audience::staff),
            "Статус: ждём клиента");
  EXPECT_EQ(staff_status(Language::en, TicketStatus::resolved), "resolved");
}

}  // namespace
}  // namespace tb::telegram
