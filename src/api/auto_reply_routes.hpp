#pragma once

#include "api/endpoints.hpp"
#include "service/auto_reply_service.hpp"

namespace tb::api {

// /auto-replies and /auto-replies/{id}.
void add_auto_reply_routes(Endpoints& endpoints, service::AutoReplyService& auto_replies);

}  // namespace tb::api
