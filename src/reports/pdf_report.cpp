// PDF with libharu: a title page with the period and the summary tables, a chart of tickets
// created and resolved per day drawn with the page's path operators, and a table of the
// first kPdfTicketRows tickets (core/report.hpp says why there is a cap). Text is UTF-8 in
// an embedded DejaVu Sans (Debian's fonts-dejavu-core), so Cyrillic names print as written.
//
// libharu keeps the document in memory and writes it whole (the cross-reference table comes
// last), so the document goes to a temporary file which is then streamed and removed; the
// row cap is what bounds its size.
#include <algorithm>
#include <hpdf.h>
#include <stdexcept>

#include "reports/report_writer.hpp"
#include "reports/summary_tables.hpp"
#include "reports/temp_file.hpp"
#include "reports/ticket_columns.hpp"

namespace tb::reports {
namespace {

constexpr std::size_t kPieceBytes = 64 * 1024;
constexpr float kPageWidth = 842;  // A4 landscape, in points
constexpr float kPageHeight = 595;
constexpr float kMargin = 36;
constexpr float kRowHeight = 13;
constexpr float kFontSize = 8;
constexpr std::size_t kSummaryRowsPerTable = 14;

struct RGB {
  float red, green, blue;
};
constexpr RGB kCreatedColour{0.16F, 0.38F, 0.75F};
constexpr RGB kResolvedColour{0.20F, 0.62F, 0.30F};
constexpr RGB kGridColour{0.85F, 0.85F, 0.85F};
constexpr RGB kHeaderFill{0.92F, 0.92F, 0.92F};

// The columns of the PDF's ticket table: a readable subset of kTicketColumns.
struct PdfColumn {
  std::string_view title;
  float width;
};
constexpr std::array kPdfColumns = {
    PdfColumn{"ID", 40},       PdfColumn{"Created", 78},  PdfColumn{"Subject", 190},
    PdfColumn{"Category", 90}, PdfColumn{"Customer", 90}, PdfColumn{"Assignee", 80},
    PdfColumn{"Status", 58},   PdfColumn{"Priority", 48}, PdfColumn{"First response", 60},
    PdfColumn{"Rating", 36}};

// libharu reports errors through a C callback; they are kept here and turned into an
// exception by the writer between calls (never thrown through C frames).
void remember_error(HPDF_STATUS error, HPDF_STATUS detail, void* user_data) {
  auto* slot = static_cast<std::pair<HPDF_STATUS, HPDF_STATUS>*>(user_data);
  if (slot->first == 0) *slot = {error, detail};
}

std::string day_text(Timestamp time) {
  std::string text = format_timestamp(time);
  return text.substr(0, 10);
}

std::string minute_text(Timestamp time) {
  std::string text = format_timestamp(time);
  return text.substr(0, 10) + " " + text.substr(11, 5);
}

std::string duration_text(std::optional<std::int64_t> seconds) {
  if (!seconds) return "";
  const auto hours = *seconds / 3600;
  const auto minutes = (*seconds % 3600) / 60;
  return std::to_string(hours) + "h " + (minutes < 10 ? "0" : "") + std::to_string(minutes) + "m";
}

// The start of each UTF-8 character of `text` after the first byte, and its end.
std::vector<std::size_t> character_ends(std::string_view text) {
  std::vector<std::size_t> ends;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ends.push_back(i);
  }
  return ends;
}

class PdfWriter final : public ReportWriter {
 public:
  PdfWriter(ReportContents contents, const WriterOptions& options)
      : contents_(std::move(contents)), file_(options.temp_dir, ".pdf") {
    pdf_ = HPDF_New(remember_error, &error_);
    if (!pdf_) throw std::runtime_error("pdf: cannot create a document");
    HPDF_SetCompressionMode(pdf_, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf_);
    HPDF_SetCurrentEncoder(pdf_, "UTF-8");
    const char* name = HPDF_LoadTTFontFromFile(pdf_, options.font_file.c_str(), HPDF_TRUE);
    if (name) font_ = HPDF_GetFont(pdf_, name, "UTF-8");
    if (!font_) {
      HPDF_Free(pdf_);
      throw std::runtime_error("pdf: cannot load the font " + options.font_file.string() +
                               " (Debian package fonts-dejavu-core)");
    }
    HPDF_SetInfoAttr(pdf_, HPDF_INFO_TITLE, "Ticket report");
    HPDF_SetInfoAttr(pdf_, HPDF_INFO_CREATOR, "ticketbot");
  }

  ~PdfWriter() override {
    if (pdf_) HPDF_Free(pdf_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  bool next(std::string& piece) override {
    piece.clear();
    if (reading_) return file_.read(piece, kPieceBytes);
    if (!summary_written_) {
      write_summary_page();
      write_chart_page();
      summary_written_ = true;
    } else if (rows_written_ < kPdfTicketRows) {
      auto page = contents_.next_page();
      if (page.empty()) {
        finish();
      } else {
        for (const auto& ticket : page) {
          if (rows_written_ == kPdfTicketRows) break;
          write_ticket(ticket);
        }
      }
    } else {
      finish();
    }
    check();
    return reading_ ? file_.read(piece, kPieceBytes) : true;
  }

 private:
  void check() const {
    if (error_.first != 0) {
      throw std::runtime_error("pdf: libharu error " + std::to_string(error_.first) + "/" +
                               std::to_string(error_.second));
    }
  }

  void new_page() {
    page_ = HPDF_AddPage(pdf_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    y_ = kPageHeight - kMargin;
  }

  void text(float x, float y, std::string_view value, float size = kFontSize) {
    scratch_.assign(value);
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font_, size);
    HPDF_Page_TextOut(page_, x, y, scratch_.c_str());
    HPDF_Page_EndText(page_);
  }

  // `value` cut (with an ellipsis) to fit `width` points at the table's font size.
  std::string fitted(std::string_view value, float width) {
    HPDF_Page_SetFontAndSize(page_, font_, kFontSize);
    scratch_.assign(value);
    if (HPDF_Page_TextWidth(page_, scratch_.c_str()) <= width) return scratch_;
    const auto ends = character_ends(value);
    std::size_t low = 0;
    std::size_t high = ends.size();  // the answer keeps ends[low - 1] bytes
    while (low < high) {
      const std::size_t middle = (low + high + 1) / 2;
      scratch_.assign(value.substr(0, ends[middle - 1]));
      scratch_ += "…";
      if (HPDF_Page_TextWidth(page_, scratch_.c_str()) <= width) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    std::string out(value.substr(0, low == 0 ? 0 : ends[low - 1]));
    out += "…";
    return out;
  }

  void fill_rectangle(float x, float y, float width, float height, RGB colour) {
    HPDF_Page_SetRGBFill(page_, colour.red, colour.green, colour.blue);
    HPDF_Page_Rectangle(page_, x, y, width, height);
    HPDF_Page_Fill(page_);
    HPDF_Page_SetRGBFill(page_, 0, 0, 0);
  }

  void line(float x1, float y1, float x2, float y2, RGB colour, float width = 0.5F) {
    HPDF_Page_SetLineWidth(page_, width);
    HPDF_Page_SetRGBStroke(page_, colour.red, colour.green, colour.blue);
    HPDF_Page_MoveTo(page_, x1, y1);
    HPDF_Page_LineTo(page_, x2, y2);
    HPDF_Page_Stroke(page_);
  }

  // A two-column table at (x, y) going down: a heading, then label / count rows.
  void summary_table(float x, float y, std::string_view heading, const CountRows& rows) {
    fill_rectangle(x, y - 3, 220, kRowHeight, kHeaderFill);
    text(x + 3, y, heading, 9);
    for (std::size_t i = 0; i < rows.size() && i < kSummaryRowsPerTable; ++i) {
      y -= kRowHeight;
      text(x + 3, y, fitted(rows[i].first, 160));
      text(x + 170, y, std::to_string(rows[i].second));
    }
    if (rows.size() > kSummaryRowsPerTable) {
      text(x + 3, y - kRowHeight,
           "… " + std::to_string(rows.size() - kSummaryRowsPerTable) + " more in the XLSX export");
    }
  }

  void write_summary_page() {
    const auto& summary = contents_.summary;
    const auto& filter = contents_.filter;
    new_page();
    text(kMargin, y_ - 10, "Ticket report", 18);
    std::string period = "Tickets created " + minute_text(filter.period.from) + " – " +
                         minute_text(filter.period.to) + " UTC";
    if (filter.category_id)
      period += ", category " + report_category_name(contents_, *filter.category_id);
    if (filter.status) period += ", status " + std::string(status_name(*filter.status));
    text(kMargin, y_ - 32, period, 10);
    text(kMargin, y_ - 46,
         "Generated " + minute_text(contents_.generated_at) + " UTC · " +
             std::to_string(summary.tickets) + " tickets",
         10);
    if (summary.tickets > static_cast<std::int64_t>(kPdfTicketRows)) {
      text(kMargin, y_ - 60,
           "The ticket table lists the first " + std::to_string(kPdfTicketRows) +
               " tickets; the CSV and XLSX exports hold all of them.",
           9);
    }
    const float top = y_ - 90;
    summary_table(kMargin, top, "By status", status_rows(summary));
    summary_table(kMargin, top - 110, "By priority", priority_rows(summary));
    summary_table(kMargin + 260, top, "By category", category_rows(summary));
    write_agent_table(kMargin + 520, top);
  }

  void write_agent_table(float x, float y) {
    fill_rectangle(x, y - 3, 250, kRowHeight, kHeaderFill);
    text(x + 3, y, "By agent", 9);
    text(x + 150, y, "Assigned", 9);
    text(x + 200, y, "Resolved", 9);
    const auto& agents = contents_.summary.by_agent;
    for (std::size_t i = 0; i < agents.size() && i < kSummaryRowsPerTable; ++i) {
      y -= kRowHeight;
      text(x + 3, y, fitted(agents[i].agent.first_name, 140));
      text(x + 150, y, std::to_string(agents[i].assigned));
      text(x + 200, y, std::to_string(agents[i].resolved));
    }
  }

  // Created and resolved per day as two polylines over a grid, with a legend.
  void write_chart_page() {
    const auto& days = contents_.summary.days;
    new_page();
    text(kMargin, y_ - 10, "Tickets created and resolved per day (UTC)", 14);
    const float left = kMargin + 30;
    const float bottom = kMargin + 30;
    const float width = kPageWidth - left - kMargin;
    const float height = kPageHeight - bottom - kMargin - 50;
    std::int64_t highest = 1;
    for (const auto& day : days) highest = std::max({highest, day.created, day.resolved});
    highest = (highest + 3) / 4 * 4;  // so that the four grid steps have whole labels
    for (int step = 0; step <= 4; ++step) {
      const float y = bottom + height * static_cast<float>(step) / 4;
      line(left, y, left + width, y, kGridColour);
      text(kMargin, y - 3, std::to_string(highest * step / 4));
    }
    const auto x_of = [&](std::size_t index) {
      return days.size() < 2
                 ? left + width / 2
                 : left + width * static_cast<float>(index) / static_cast<float>(days.size() - 1);
    };
    const auto y_of = [&](std::int64_t count) {
      return bottom + height * static_cast<float>(count) / static_cast<float>(highest);
    };
    plot(days, x_of, y_of, &ReportSummary::Day::created, kCreatedColour);
    plot(days, x_of, y_of, &ReportSummary::Day::resolved, kResolvedColour);
    const std::size_t label_every = std::max<std::size_t>(1, days.size() / 8);
    for (std::size_t i = 0; i < days.size(); i += label_every)
      text(x_of(i) - 20, bottom - 14, day_text(days[i].day));
    line(left + 10, kPageHeight - kMargin - 30, left + 30, kPageHeight - kMargin - 30,
         kCreatedColour, 2);
    text(left + 35, kPageHeight - kMargin - 33, "created", 9);
    line(left + 90, kPageHeight - kMargin - 30, left + 110, kPageHeight - kMargin - 30,
         kResolvedColour, 2);
    text(left + 115, kPageHeight - kMargin - 33, "resolved", 9);
  }

  template <class XOf, class YOf>
  void plot(const std::vector<ReportSummary::Day>& days, const XOf& x_of, const YOf& y_of,
            std::int64_t ReportSummary::Day::*field, RGB colour) {
    if (days.empty()) return;
    HPDF_Page_SetLineWidth(page_, 1.5F);
    HPDF_Page_SetRGBStroke(page_, colour.red, colour.green, colour.blue);
    HPDF_Page_MoveTo(page_, x_of(0), y_of(days[0].*field));
    for (std::size_t i = 1; i < days.size(); ++i)
      HPDF_Page_LineTo(page_, x_of(i), y_of(days[i].*field));
    if (days.size() == 1) HPDF_Page_LineTo(page_, x_of(0) + 1, y_of(days[0].*field));
    HPDF_Page_Stroke(page_);
  }

  void write_table_header() {
    new_page();
    fill_rectangle(kMargin, y_ - 3 - kRowHeight, kPageWidth - 2 * kMargin, kRowHeight, kHeaderFill);
    y_ -= kRowHeight;
    float x = kMargin + 2;
    for (const auto& column : kPdfColumns) {
      text(x, y_, column.title);
      x += column.width;
    }
  }

  void write_ticket(const Ticket& ticket) {
    if (!page_ || !in_table_ || y_ - kRowHeight < kMargin) {
      write_table_header();
      in_table_ = true;
    }
    y_ -= kRowHeight;
    const std::array<std::string, kPdfColumns.size()> cells = {
        std::to_string(ticket.id),
        minute_text(ticket.created_at),
        ticket.subject,
        report_category_name(contents_, ticket),
        ticket.creator.first_name,
        ticket.assignee ? ticket.assignee->first_name : "",
        std::string(status_name(ticket.status)),
        std::string(priority_name(ticket.priority)),
        duration_text(seconds_between(ticket.created_at, ticket.first_response_at)),
        ticket.rating ? std::to_string(ticket.rating->score) : ""};
    float x = kMargin + 2;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (!cells[i].empty()) text(x, y_, fitted(cells[i], kPdfColumns[i].width - 4));
      x += kPdfColumns[i].width;
    }
    ++rows_written_;
  }

  void finish() {
    if (contents_.summary.tickets > static_cast<std::int64_t>(rows_written_)) {
      if (!in_table_ || y_ - 2 * kRowHeight < kMargin) new_page();
      text(kMargin, y_ - 2 * kRowHeight,
           "First " + std::to_string(rows_written_) + " of " +
               std::to_string(contents_.summary.tickets) +
               " tickets shown; the CSV and XLSX exports hold all of them.",
           9);
    }
    check();
    if (HPDF_SaveToFile(pdf_, file_.path().c_str()) != HPDF_OK) {
      check();
      throw std::runtime_error("pdf: cannot save " + file_.path());
    }
    HPDF_Free(pdf_);
    pdf_ = nullptr;
    file_.start_reading();
    reading_ = true;
  }

  ReportContents contents_;
  TempFile file_;
  std::pair<HPDF_STATUS, HPDF_STATUS> error_{0, 0};
  HPDF_Doc pdf_ = nullptr;
  HPDF_Font font_ = nullptr;
  HPDF_Page page_ = nullptr;
  float y_ = 0;
  bool in_table_ = false;
  bool summary_written_ = false;
  bool reading_ = false;
  std::size_t rows_written_ = 0;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_pdf_writer(ReportContents contents,
                                              const WriterOptions& options) {
  return std::make_unique<PdfWriter>(std::move(contents), options);
}

}  // namespace tb::reports
