#pragma once

#include "api/endpoints.hpp"
#include "api/page_cache.hpp"
#include "service/ticket_service.hpp"

namespace tb::api {

// /tickets, /tickets/{id}, /tickets/{id}/messages and /tickets/{id}/rating. `pages` keeps
// rendered answers of GET /tickets; it must outlive the routes.
void add_ticket_routes(Endpoints& endpoints, service::TicketService& tickets, PageCache& pages);

}  // namespace tb::api
