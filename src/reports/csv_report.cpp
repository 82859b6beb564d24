// CSV per RFC 4180: UTF-8, CRLF line ends, a header row, fields quoted when they hold a comma,
// a quote or a line break (quotes doubled). Written by hand, since it is this one function;
// text cells pass through guard_formula (core/report.hpp) against formula injection.
#include <charconv>

#include "reports/report_writer.hpp"
#include "reports/ticket_columns.hpp"

namespace tb::reports {
namespace {

void append_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

// Times as ISO-8601 UTC, durations in whole seconds, yes/no: what a script reads back
// without guessing at a locale.
void append_cell(std::string& out, const Cell& cell) {
  struct Visitor {
    std::string& out;
    void operator()(std::monostate) const {}
    void operator()(std::int64_t value) const { append_integer(out, value); }
    void operator()(const std::string& text) const { append_field(out, guard_formula(text)); }
    void operator()(Timestamp time) const { append_timestamp(out, time); }
    void operator()(std::chrono::seconds duration) const { append_integer(out, duration.count()); }
    void operator()(bool flag) const { out += flag ? "yes" : "no"; }
  };
  std::visit(Visitor{out}, cell);
}

class CsvWriter final : public ReportWriter {
 public:
  CsvWriter(ReportContents contents, const WriterOptions& options)
      : contents_(std::move(contents)), byte_order_mark_(options.byte_order_mark) {}

  bool next(std::string& piece) override {
    piece.clear();
    if (done_) return false;
    if (!header_written_) {
      header_written_ = true;
      if (byte_order_mark_) piece += "\xEF\xBB\xBF";
      append_header(piece);
      return true;
    }
    const auto page = contents_.next_page();
    if (page.empty()) {
      done_ = true;
      return false;
    }
    for (const auto& ticket : page) {
      ticket_cells(contents_, ticket, cells_);
      for (std::size_t i = 0; i < cells_.size(); ++i) {
        if (i > 0) piece += ',';
        append_cell(piece, cells_[i]);
      }
      piece += "\r\n";
    }
    return true;
  }

 private:
  static void append_header(std::string& out) {
    bool first = true;
    for (const auto& column : kTicketColumns) {
      if (!first) out += ',';
      first = false;
      out += column.title;
      if (column.kind == CellKind::duration) out += " (s)";
    }
    out += "\r\n";
  }

  ReportContents contents_;
  bool byte_order_mark_;
  bool header_written_ = false;
  bool done_ = false;
  std::vector<Cell> cells_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_csv_writer(ReportContents contents,
                                              const WriterOptions& options) {
  return std::make_unique<CsvWriter>(std::move(contents), options);
}

}  // namespace tb::reports
