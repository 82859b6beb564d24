#include "reports/report_writer.hpp"

namespace tb::reports {

std::unique_ptr<ReportWriter> make_report_writer(ReportFormat format, ReportContents contents,
                                                 const WriterOptions& options) {
  switch (format) {
    case ReportFormat::csv: return make_csv_writer(std::move(contents), options);
    case ReportFormat::xlsx: return make_xlsx_writer(std::move(contents), options);
    case ReportFormat::pdf: return make_pdf_writer(std::move(contents), options);
  }
  return make_csv_writer(std::move(contents), options);
}

}  // namespace tb::reports
