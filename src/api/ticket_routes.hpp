#pragma once

#include "api/endpoints.hpp"
#include "api/page_cache.hpp"
#include "service/ticket_service.hpp"

namespace tb::api {

// /categories, /tickets, /tickets/{id}, /tickets/{id}/messages, /tickets/{id}/rating and
// /auto-replies. `pages` keeps rendered answers of GET /tickets; it must outlive the routes.
void add_ticket_routes(Endpoints& endpoints, service::TicketService& tickets, PageCache& pages);

}  // namespace tb::api
