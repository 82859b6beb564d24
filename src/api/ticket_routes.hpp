#pragma once

#include "api/endpoints.hpp"
#include "service/ticket_service.hpp"

namespace tb::api {

// /categories, /tickets, /tickets/{id}, /tickets/{id}/messages, /tickets/{id}/rating and
// /auto-replies.
void add_ticket_routes(Endpoints& endpoints, service::TicketService& tickets);

}  // namespace tb::api
