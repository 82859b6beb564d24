#pragma once

#include "api/endpoints.hpp"
#include "reports/report_writer.hpp"
#include "service/report_service.hpp"

namespace tb::api {

// GET /reports/tickets: a ticket report as CSV, XLSX or PDF, streamed (http::BodyProducer).
// Also takes the session token as ?token= (Endpoints' Credentials says why).
void add_report_routes(Endpoints& endpoints, service::ReportService& reports,
                       reports::WriterOptions options);

}  // namespace tb::api
