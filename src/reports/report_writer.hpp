// tb::reports — ticket report files (CSV, XLSX, PDF) made piece by piece. Knows the file
// formats only: what goes into a report is core/report.hpp's, how it travels is HTTP's.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/report.hpp"

namespace tb::reports {

// One report file being made. Each call of next() does a bounded amount of work (about a
// page of tickets) so that whoever drives it can interleave other work and send each piece
// before asking for the next one.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  // Replaces `piece` with the next bytes of the file (it may be left empty when the call only
  // did work, e.g. wrote rows into a spreadsheet not yet finished); false once the file is
  // complete, with `piece` empty.
  virtual bool next(std::string& piece) = 0;
};

struct WriterOptions {
  bool byte_order_mark = false;  // CSV: begin with U+FEFF, which Excel needs to read UTF-8
  std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
  std::filesystem::path font_file = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";  // PDF
};

std::unique_ptr<ReportWriter> make_report_writer(ReportFormat format, ReportContents contents,
                                                 const WriterOptions& options);

// The writers; make_report_writer picks one.
std::unique_ptr<ReportWriter> make_csv_writer(ReportContents contents,
                                              const WriterOptions& options);
std::unique_ptr<ReportWriter> make_xlsx_writer(ReportContents contents,
                                               const WriterOptions& options);
std::unique_ptr<ReportWriter> make_pdf_writer(ReportContents contents,
                                              const WriterOptions& options);

}  // namespace tb::reports
