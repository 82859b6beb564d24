#pragma once

#include "api/endpoints.hpp"
#include "service/canned_reply_service.hpp"

namespace tb::api {

// /canned-replies and /canned-replies/{id}.
void add_canned_reply_routes(Endpoints& endpoints, service::CannedReplyService& canned_replies);

}  // namespace tb::api
