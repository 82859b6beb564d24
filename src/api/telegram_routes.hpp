#pragma once

#include "api/endpoints.hpp"
#include "service/undelivered_messages.hpp"

namespace tb::api {

// GET /telegram/deliveries: the bot's undelivered (dead) messages, for admins.
void add_telegram_routes(Endpoints& endpoints, service::UndeliveredMessages& undelivered);

}  // namespace tb::api
