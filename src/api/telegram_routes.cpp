#include "api/telegram_routes.hpp"

#include "api/json.hpp"

namespace tb::api {
namespace {

boost::json::value delivery_json(const store::Delivery& delivery) {
  auto optional_id = [](const std::optional<std::int64_t>& id) {
    return id ? boost::json::value(*id) : boost::json::value(nullptr);
  };
  return boost::json::object{{"id", delivery.id},
                             {"chat_id", delivery.chat_id},
                             {"ticket_id", optional_id(delivery.ticket_id)},
                             {"text", delivery.text},
                             {"attempts", delivery.attempts},
                             {"last_error", delivery.last_error},
                             {"created_at", format_timestamp(delivery.created_at)}};
}

}  // namespace

void add_telegram_routes(Endpoints& endpoints, service::UndeliveredMessages& undelivered) {
  endpoints.add_protected(
      http::Method::get, "/telegram/deliveries", Permission::audit_view,
      [&](http::Request& request, const service::Principal& caller) {
        const int limit = page_limit(request);
        return page(undelivered.list(caller, cursor_position(request), limit + 1), limit,
                    delivery_json, [](const store::Delivery& delivery) { return delivery.id; });
      });
}

}  // namespace tb::api
