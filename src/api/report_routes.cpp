#include "api/report_routes.hpp"

#include <memory>

#include "api/json.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using service::Principal;

ReportFormat format_of(const Request& request) {
  const auto text = request.query_param("format");
  if (!text) throw Error(ErrorCode::invalid_request, "format is required: csv, xlsx or pdf");
  const auto format = parse_report_format(*text);
  if (!format)
    throw Error(ErrorCode::invalid_request, "unknown format " + *text + "; use csv, xlsx or pdf");
  return *format;
}

bool byte_order_mark(const Request& request) {
  const auto text = request.query_param("bom");
  if (!text || *text == "0" || *text == "false") return false;
  if (*text == "1" || *text == "true") return true;
  throw Error(ErrorCode::invalid_request, "bom must be 1 or 0");
}

service::ReportRequest report_request(const Request& request) {
  service::ReportRequest report;
  report.from = request.query_param("from");
  report.to = request.query_param("to");
  report.category_id = query_id(request, "category_id");
  if (const auto status = request.query_param("status")) {
    report.status = parse_status(*status);
    if (!report.status) throw Error(ErrorCode::invalid_request, "unknown status " + *status);
  }
  return report;
}

}  // namespace

void add_report_routes(Endpoints& endpoints, service::ReportService& reports,
                       reports::WriterOptions options) {
  endpoints.add_protected(
      Method::get, "/reports/tickets", Permission::reports_export,
      [&reports, options](Request& request, const Principal& caller) {
        const ReportFormat format = format_of(request);
        auto writer_options = options;
        writer_options.byte_order_mark = byte_order_mark(request);
        const ReportFilter filter = reports.filter(report_request(request));
        std::shared_ptr<reports::ReportWriter> writer =
            reports::make_report_writer(format, reports.contents(caller, filter), writer_options);
        Response response = Response::text(200, std::string(report_content_type(format)), "");
        response.headers.emplace_back(
            "Content-Disposition",
            "attachment; filename=\"" + report_filename(format, filter.period) + "\"");
        // A report holds customers' names: no cache, shared or private, keeps a copy.
        response.headers.emplace_back("Cache-Control", "no-store");
        response.headers.emplace_back("X-Content-Type-Options", "nosniff");
        response.producer = [writer](std::string& piece) { return writer->next(piece); };
        return response;
      },
      Credentials::header_or_query_token);
}

}  // namespace tb::api
