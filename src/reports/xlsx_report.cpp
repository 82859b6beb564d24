// XLSX with libxlsxwriter: a Summary sheet and a Tickets sheet of typed cells (numbers,
// real Excel dates, durations), a frozen header row, an autofilter and set widths.
//
// libxlsxwriter writes a whole file at workbook_close (a zip needs its directory at the
// end), so the workbook goes to a temporary file which is then streamed and removed. In
// constant_memory mode each worksheet's rows go to disk as they are written, so memory
// stays flat whatever the number of tickets; the price is that rows must be written in
// order, which a keyset-paged export does anyway.
#include <cstdio>
#include <stdexcept>
#include <xlsxwriter.h>

#include "core/text.hpp"
#include "reports/report_writer.hpp"
#include "reports/summary_tables.hpp"
#include "reports/temp_file.hpp"
#include "reports/ticket_columns.hpp"

namespace tb::reports {
namespace {

constexpr std::size_t kPieceBytes = 64 * 1024;
constexpr double kSecondsPerDay = 86400.0;
// Excel's last row is 1,048,576; the header takes one.
constexpr std::int64_t kMostTicketRows = 1'048'575;
constexpr std::size_t kMostCellBytes = 32'767;  // bytes: never more characters than that

void check(lxw_error error, const char* what) {
  if (error != LXW_NO_ERROR) {
    throw std::runtime_error(std::string("xlsx: ") + what + ": " + lxw_strerror(error));
  }
}

class XlsxWriter final : public ReportWriter {
 public:
  XlsxWriter(ReportContents contents, const WriterOptions& options)
      : contents_(std::move(contents)), file_(options.temp_dir, ".xlsx") {
    temp_dir_ = options.temp_dir.string();
    lxw_workbook_options workbook_options{};
    workbook_options.constant_memory = LXW_TRUE;
    workbook_options.tmpdir = temp_dir_.data();
    workbook_options.use_zip64 = LXW_TRUE;  // a large export may pass 4 GB of XML
    workbook_ = workbook_new_opt(file_.path().c_str(), &workbook_options);
    if (!workbook_) throw std::runtime_error("xlsx: cannot create " + file_.path());
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
    time_ = workbook_add_format(workbook_);
    format_set_num_format(time_, "yyyy-mm-dd hh:mm");
    day_ = workbook_add_format(workbook_);
    format_set_num_format(day_, "yyyy-mm-dd");
    duration_ = workbook_add_format(workbook_);
    format_set_num_format(duration_, "[h]:mm:ss");
    summary_ = workbook_add_worksheet(workbook_, "Summary");
    tickets_ = workbook_add_worksheet(workbook_, "Tickets");
  }

  ~XlsxWriter() override {
    if (!workbook_) return;
    // Abandoned (the client went away): nothing is to be written. lxw_workbook_free does not
    // close the sheets' constant_memory row files (workbook_close does, as it reads them),
    // so they are closed here; they were unlinked at creation, so closing removes them.
    for (auto* sheet : {summary_, tickets_}) {
      if (sheet && sheet->optimize_tmpfile) {
        std::fclose(sheet->optimize_tmpfile);
        sheet->optimize_tmpfile = nullptr;
        sheet->file = nullptr;
      }
    }
    lxw_workbook_free(workbook_);
  }

  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  bool next(std::string& piece) override {
    piece.clear();
    if (reading_) return file_.read(piece, kPieceBytes);
    if (!summary_written_) {
      write_summary();
      write_ticket_header();
      summary_written_ = true;
      return true;
    }
    const auto page = ticket_row_ < kMostTicketRows ? contents_.next_page() : std::vector<Ticket>{};
    if (page.empty()) {
      finish();
      return file_.read(piece, kPieceBytes);
    }
    for (const auto& ticket : page) {
      if (ticket_row_ >= kMostTicketRows) break;
      write_ticket(ticket);
    }
    return true;
  }

 private:
  lxw_row_t row(std::int64_t index) const { return static_cast<lxw_row_t>(index); }

  void text(lxw_worksheet* sheet, lxw_row_t r, lxw_col_t c, std::string_view value,
            lxw_format* format = nullptr) {
    // Excel holds at most 32,767 characters in a cell; libxlsxwriter refuses longer text.
    scratch_.assign(utf8_prefix(value, kMostCellBytes));
    check(worksheet_write_string(sheet, r, c, scratch_.c_str(), format), "write text");
  }

  void number(lxw_worksheet* sheet, lxw_row_t r, lxw_col_t c, double value,
              lxw_format* format = nullptr) {
    check(worksheet_write_number(sheet, r, c, value, format), "write number");
  }

  void time(lxw_worksheet* sheet, lxw_row_t r, lxw_col_t c, Timestamp value, lxw_format* format) {
    check(worksheet_write_unixtime(sheet, r, c, value.time_since_epoch().count(), format),
          "write time");
  }

  // A heading row, then one row per (label, count) pair.
  template <class Rows>
  void table(lxw_row_t& r, std::string_view heading, const Rows& rows) {
    ++r;
    text(summary_, r++, 0, heading, bold_);
    for (const auto& [label, count] : rows) {
      text(summary_, r, 0, label);
      number(summary_, r++, 1, static_cast<double>(count));
    }
  }

  void write_summary() {
    const auto& summary = contents_.summary;
    const auto& filter = contents_.filter;
    check(worksheet_set_column(summary_, 0, 0, 28, nullptr), "width");
    check(worksheet_set_column(summary_, 1, 2, 14, nullptr), "width");
    lxw_row_t r = 0;
    text(summary_, r++, 0, "Ticket report", bold_);
    text(summary_, r, 0, "Created from");
    time(summary_, r++, 1, filter.period.from, time_);
    text(summary_, r, 0, "Created before");
    time(summary_, r++, 1, filter.period.to, time_);
    if (filter.category_id) {
      text(summary_, r, 0, "Category");
      text(summary_, r++, 1, report_category_name(contents_, *filter.category_id));
    }
    if (filter.status) {
      text(summary_, r, 0, "Status");
      text(summary_, r++, 1, status_name(*filter.status));
    }
    text(summary_, r, 0, "Generated");
    time(summary_, r++, 1, contents_.generated_at, time_);
    text(summary_, r, 0, "Tickets", bold_);
    number(summary_, r++, 1, static_cast<double>(summary.tickets));
    if (summary.tickets > kMostTicketRows) {
      text(summary_, r++, 0,
           "The Tickets sheet holds the first 1,048,575 (Excel's limit); the CSV holds them all.");
    }
    table(r, "By status", status_rows(summary));
    table(r, "By priority", priority_rows(summary));
    table(r, "By category", category_rows(summary));
    write_agents(r);
    write_days(r);
  }

  // A bold heading row of three columns.
  void headings(lxw_row_t& r, std::string_view first, std::string_view second,
                std::string_view third) {
    ++r;
    text(summary_, r, 0, first, bold_);
    text(summary_, r, 1, second, bold_);
    text(summary_, r++, 2, third, bold_);
  }

  void write_agents(lxw_row_t& r) {
    headings(r, "By agent", "Assigned", "Resolved");
    for (const auto& agent : contents_.summary.by_agent) {
      text(summary_, r, 0, agent.agent.first_name);
      number(summary_, r, 1, static_cast<double>(agent.assigned));
      number(summary_, r++, 2, static_cast<double>(agent.resolved));
    }
  }

  void write_days(lxw_row_t& r) {
    headings(r, "Day", "Created", "Resolved");
    for (const auto& day : contents_.summary.days) {
      time(summary_, r, 0, day.day, day_);
      number(summary_, r, 1, static_cast<double>(day.created));
      number(summary_, r++, 2, static_cast<double>(day.resolved));
    }
  }

  void write_ticket_header() {
    for (std::size_t c = 0; c < kTicketColumns.size(); ++c) {
      const auto& column = kTicketColumns[c];
      const auto col = static_cast<lxw_col_t>(c);
      check(worksheet_set_column(tickets_, col, col, column.width, nullptr), "width");
      text(tickets_, 0, col, column.title, bold_);
    }
    worksheet_freeze_panes(tickets_, 1, 0);
  }

  void write_ticket(const Ticket& ticket) {
    ticket_cells(contents_, ticket, cells_);
    const lxw_row_t r = row(++ticket_row_);
    for (std::size_t c = 0; c < cells_.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const Cell& cell = cells_[c];
      if (const auto* value = std::get_if<std::int64_t>(&cell)) {
        number(tickets_, r, col, static_cast<double>(*value));
      } else if (const auto* value = std::get_if<std::string>(&cell)) {
        text(tickets_, r, col, *value);
      } else if (const auto* value = std::get_if<Timestamp>(&cell)) {
        time(tickets_, r, col, *value, time_);
      } else if (const auto* value = std::get_if<std::chrono::seconds>(&cell)) {
        number(tickets_, r, col, static_cast<double>(value->count()) / kSecondsPerDay, duration_);
      } else if (const auto* value = std::get_if<bool>(&cell)) {
        check(worksheet_write_boolean(tickets_, r, col, *value ? 1 : 0, nullptr), "write flag");
      }
    }
  }

  void finish() {
    check(worksheet_autofilter(tickets_, 0, 0, row(ticket_row_),
                               static_cast<lxw_col_t>(kTicketColumns.size() - 1)),
          "autofilter");
    auto* workbook = workbook_;
    workbook_ = nullptr;  // workbook_close frees it, whatever it answers
    check(workbook_close(workbook), "close");
    file_.start_reading();
    reading_ = true;
  }

  ReportContents contents_;
  TempFile file_;
  std::string temp_dir_;
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* summary_ = nullptr;
  lxw_worksheet* tickets_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* time_ = nullptr;
  lxw_format* day_ = nullptr;
  lxw_format* duration_ = nullptr;
  bool summary_written_ = false;
  bool reading_ = false;
  std::int64_t ticket_row_ = 0;  // the last row written; the header is row 0
  std::vector<Cell> cells_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_xlsx_writer(ReportContents contents,
                                               const WriterOptions& options) {
  return std::make_unique<XlsxWriter>(std::move(contents), options);
}

}  // namespace tb::reports
