// Ticket reports over real HTTP against the real binary in demo mode: the CSV parsed back and
// compared with the tickets over REST, the XLSX unzipped (Debian's unzip) and its sheet XML
// read, the PDF read by pdftotext (poppler-utils), permissions, bad parameters, chunked
// transfer, and a client that leaves in the middle of an export.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/socket.h>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../support/init_data_signer.hpp"
#include "demo_api.hpp"
#include "test_server.hpp"

namespace tb::testing {
namespace {

const std::string kBotToken = "4242:reports-token";
const std::string kCategoryName = "Оплата и счета, VIP";
const std::string kCustomerName = "Дарья";

// Subjects that a CSV writer or a spreadsheet could get wrong.
const std::vector<std::string> kSubjects = {R"(Hello, "world")",
                                            "Первая строка\nвторая, строка",
                                            "=HYPERLINK(\"http://x\",\"y\")",
                                            "+1 555 0100",
                                            "@SUM(A1:A2)",
                                            "-5 degrees",
                                            "Plain subject"};

// RFC 4180 records: fields split at commas outside quotes, "" inside quotes for a quote, a
// record ends at CRLF outside quotes. Fails the test on a bare LF outside quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::exchange(field, {}));
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::exchange(field, {}));
      records.push_back(std::exchange(record, {}));
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "a bare LF outside quotes at byte " << i;
      field += c;
    }
  }
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record does not end with CRLF";
  return records;
}

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return output;
  char buffer[4096];
  while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  pclose(pipe);
  return output;
}

std::int64_t unix_seconds(const std::string& iso) {  // "2026-11-25T14:50:00Z"
  const std::chrono::year_month_day date{std::chrono::year(std::stoi(iso.substr(0, 4))),
                                         std::chrono::month(std::stoul(iso.substr(5, 2))),
                                         std::chrono::day(std::stoul(iso.substr(8, 2)))};
  return std::chrono::sys_days(date).time_since_epoch().count() * 86400 +
         std::stoll(iso.substr(11, 2)) * 3600 + std::stoll(iso.substr(14, 2)) * 60 +
         std::stoll(iso.substr(17, 2));
}

// The value of attribute `name` in the XML element that starts at `at`.
std::string attribute(const std::string& xml, std::size_t at, const std::string& name) {
  const auto end = xml.find('>', at);
  const auto found = xml.find(" " + name + "=\"", at);
  if (found == std::string::npos || found > end) return "";
  const auto value = found + name.size() + 3;
  return xml.substr(value, xml.find('"', value) - value);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

class ReportsOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_ = new std::filesystem::path(make_temp_directory());
    server_ = new TestServer(
        Environment{{"TELEGRAM_BOT_TOKEN", kBotToken}, {"TMPDIR", temp_->string()}}, "demo");
    admin_ = new std::string(token_of(*server_, "admin"));
    const auto login = server_->request(
        "POST", "/auth/telegram",
        boost::json::serialize(
            boost::json::object{{"init_data", init_data_for(880001, kCustomerName, kBotToken)}}));
    ASSERT_EQ(login.status, 200) << login.body;
    customer_ = new std::string(boost::json::parse(login.body).at("token").as_string());
    const auto category =
        call(*server_, "POST", "/categories", *admin_,
             boost::json::serialize(boost::json::object{{"name", kCategoryName}}), 201);
    category_id_ = category.at("id").as_int64();
    for (const auto& subject : kSubjects) {
      call(*server_, "POST", "/tickets", *customer_,
           boost::json::serialize(boost::json::object{
               {"subject", subject}, {"body", "Details"}, {"category_id", category_id_}}),
           201);
    }
  }

  static void TearDownTestSuite() {
    delete server_;
    delete admin_;
    delete customer_;
    std::filesystem::remove_all(*temp_);
    delete temp_;
  }

  static HttpResponse get(const std::string& target, const std::string& token) {
    return server_->request("GET", target, "",
                            token.empty() ? "" : "Authorization: Bearer " + token + "\r\n");
  }

  static std::string report_of_category(const std::string& format) {
    return "/reports/tickets?format=" + format + "&category_id=" + std::to_string(category_id_);
  }

  // The category's tickets over REST, lowest id first (the report's order).
  static std::vector<boost::json::object> tickets_over_rest() {
    const auto page = call(
        *server_, "GET",
        "/tickets?limit=200&sort=created_at&category_id=" + std::to_string(category_id_), *admin_);
    std::vector<boost::json::object> tickets;
    for (const auto& item : page.at("items").as_array()) tickets.push_back(item.as_object());
    std::sort(tickets.begin(), tickets.end(), [](const auto& a, const auto& b) {
      return a.at("id").as_int64() < b.at("id").as_int64();
    });
    return tickets;
  }

  static std::filesystem::path save(const std::string& name, const std::string& bytes) {
    const auto path = *temp_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  static TestServer* server_;
  static std::filesystem::path* temp_;
  static std::string* admin_;
  static std::string* customer_;
  static std::int64_t category_id_;
};

TestServer* ReportsOverHttp::server_ = nullptr;
std::filesystem::path* ReportsOverHttp::temp_ = nullptr;
std::string* ReportsOverHttp::admin_ = nullptr;
std::string* ReportsOverHttp::customer_ = nullptr;
std::int64_t ReportsOverHttp::category_id_ = 0;

TEST_F(ReportsOverHttp, CsvParsesBackToTheTicketsOverRest) {
  const auto response = get(report_of_category("csv"), *admin_);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"), "text/csv; charset=utf-8; header=present");
  EXPECT_TRUE(response.header("content-disposition").starts_with("attachment; filename=\"tickets-"))
      << response.header("content-disposition");
  EXPECT_TRUE(response.header("content-disposition").ends_with(".csv\""));
  EXPECT_EQ(response.header("transfer-encoding"), "chunked");
  EXPECT_EQ(response.header("content-length"), "");

  const auto records = parse_csv(response.body);
  const auto tickets = tickets_over_rest();
  ASSERT_EQ(tickets.size(), kSubjects.size());
  ASSERT_EQ(records.size(), tickets.size() + 1);
  const auto& header = records[0];
  ASSERT_EQ(header.size(), 20u);
  EXPECT_EQ(header[0], "ID");
  EXPECT_EQ(header[1], "Subject");
  EXPECT_EQ(header[8], "Created");
  for (std::size_t i = 0; i < tickets.size(); ++i) {
    const auto& ticket = tickets[i];
    const auto& record = records[i + 1];
    ASSERT_EQ(record.size(), header.size()) << i;
    const std::string subject(ticket.at("subject").as_string());
    const bool formula_like = std::string("=+-@").find(subject.front()) != std::string::npos;
    EXPECT_EQ(record[0], std::to_string(ticket.at("id").as_int64()));
    EXPECT_EQ(record[1], formula_like ? "'" + subject : subject);
    EXPECT_EQ(record[2], ticket.at("status").as_string());
    EXPECT_EQ(record[3], ticket.at("priority").as_string());
    EXPECT_EQ(record[4], kCategoryName);
    EXPECT_EQ(record[5], kCustomerName);
    EXPECT_EQ(record[5], ticket.at("creator").at("first_name").as_string());
    EXPECT_EQ(record[8], ticket.at("created_at").as_string());
    EXPECT_EQ(record[15], std::to_string(ticket.at("messages_count").as_int64()));
  }
  // What each tricky subject became, spelt out.
  EXPECT_EQ(records[1][1], R"(Hello, "world")");
  EXPECT_EQ(records[2][1], "Первая строка\nвторая, строка");
  EXPECT_EQ(records[3][1], "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(records[6][1], "'-5 degrees");
  EXPECT_NE(response.body.find("\"Hello, \"\"world\"\"\""), std::string::npos);
}

TEST_F(ReportsOverHttp, CsvBeginsWithAByteOrderMarkOnlyWhenAsked) {
  const auto plain = get(report_of_category("csv"), *admin_);
  EXPECT_TRUE(plain.body.starts_with("ID,Subject,")) << plain.body.substr(0, 20);
  const auto marked = get(report_of_category("csv") + "&bom=1", *admin_);
  EXPECT_TRUE(marked.body.starts_with("\xEF\xBB\xBFID,Subject,")) << marked.body.substr(0, 20);
}

TEST_F(ReportsOverHttp, TheBodyTravelsInChunks) {
  Connection connection(server_->port());
  connection.send("GET " + report_of_category("csv") +
                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + *admin_ + "\r\n\r\n");
  std::string raw;
  for (int i = 0; i < 100 && !raw.ends_with("\r\n0\r\n\r\n"); ++i) {
    raw += connection.read_raw(raw.size() + 1, std::chrono::milliseconds(100));
  }
  const auto header_end = raw.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << raw;
  const std::string head = raw.substr(0, header_end);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  // The first chunk: its size in hex, CRLF, then the CSV's header row.
  const std::string body = raw.substr(header_end + 4);
  const auto size_end = body.find("\r\n");
  ASSERT_NE(size_end, std::string::npos);
  const auto first_size = std::stoul(body.substr(0, size_end), nullptr, 16);
  EXPECT_GT(first_size, 0u);
  EXPECT_TRUE(body.substr(size_end + 2).starts_with("ID,Subject,"));
  EXPECT_TRUE(raw.ends_with("\r\n0\r\n\r\n")) << "no last chunk";
}

// HTTP/1.0 knows no chunks: the body comes as it is and ends when the server closes.
TEST_F(ReportsOverHttp, AnHttp10ClientGetsTheBodyEndedByClose) {
  Connection connection(server_->port());
  connection.send("GET " + report_of_category("csv") + " HTTP/1.0\r\nAuthorization: Bearer " +
                  *admin_ + "\r\n\r\n");
  // Everything until the server closes the connection (read_raw stops there).
  const std::string raw = connection.read_raw(std::string::npos, std::chrono::seconds(10));
  const auto header_end = raw.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << raw;
  const std::string head = raw.substr(0, header_end);
  EXPECT_TRUE(head.starts_with("HTTP/1.0 200")) << head;
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos) << head;
  const auto records = parse_csv(raw.substr(header_end + 4));
  EXPECT_EQ(records.size(), kSubjects.size() + 1);
}

TEST_F(ReportsOverHttp, XlsxHasTypedCellsAFrozenHeaderAndAFilter) {
  const auto response = get(report_of_category("xlsx"), *admin_);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_TRUE(response.header("content-disposition").ends_with(".xlsx\""));
  const auto file = save("report.xlsx", response.body);
  const std::string tickets_sheet = run("unzip -p " + file.string() + " xl/worksheets/sheet2.xml");
  const std::string summary_sheet = run("unzip -p " + file.string() + " xl/worksheets/sheet1.xml");
  const std::string styles = run("unzip -p " + file.string() + " xl/styles.xml");
  ASSERT_FALSE(tickets_sheet.empty()) << "unzip found no Tickets sheet";
  const auto tickets = tickets_over_rest();
  const std::string last_row = std::to_string(tickets.size() + 1);

  EXPECT_EQ(occurrences(tickets_sheet, "<row "), tickets.size() + 1);
  EXPECT_NE(tickets_sheet.find(">Subject<"), std::string::npos);
  EXPECT_NE(tickets_sheet.find("ySplit=\"1\""), std::string::npos);
  EXPECT_NE(tickets_sheet.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(tickets_sheet.find("<autoFilter ref=\"A1:T" + last_row + "\"/>"), std::string::npos);
  EXPECT_NE(summary_sheet.find(kCategoryName), std::string::npos);

  // I2: the first ticket's Created, a number (no t="...") in Excel's days since 1899-12-30,
  // with a style whose number format is a date.
  const auto cell = tickets_sheet.find("<c r=\"I2\"");
  ASSERT_NE(cell, std::string::npos);
  EXPECT_EQ(attribute(tickets_sheet, cell, "t"), "");
  const auto value_start = tickets_sheet.find("<v>", cell) + 3;
  const double value =
      std::stod(tickets_sheet.substr(value_start, tickets_sheet.find("</v>", value_start)));
  const auto created = unix_seconds(std::string(tickets[0].at("created_at").as_string()));
  EXPECT_NEAR(value, static_cast<double>(created) / 86400.0 + 25569.0, 1.0 / 86400);
  const int style = std::stoi(attribute(tickets_sheet, cell, "s"));
  auto xf = styles.find("<xf ", styles.find("<cellXfs"));
  for (int i = 0; i < style; ++i) xf = styles.find("<xf ", xf + 1);
  const std::string format_id = attribute(styles, xf, "numFmtId");
  EXPECT_NE(styles.find("numFmtId=\"" + format_id + "\" formatCode=\"yyyy-mm-dd hh:mm\""),
            std::string::npos)
      << styles;
}

TEST_F(ReportsOverHttp, PdfShowsCyrillicNamesInItsText) {
  const auto response = get(report_of_category("pdf"), *admin_);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/pdf");
  EXPECT_TRUE(response.body.starts_with("%PDF-"));
  const auto file = save("report.pdf", response.body);
  const std::string text = run("pdftotext -q " + file.string() + " -");
  EXPECT_NE(text.find("Ticket report"), std::string::npos) << text;
  EXPECT_NE(text.find(kCategoryName), std::string::npos) << text;
  EXPECT_NE(text.find(kCustomerName), std::string::npos) << text;
  EXPECT_NE(text.find("Plain subject"), std::string::npos) << text;
}

TEST_F(ReportsOverHttp, OnlyAdminsAndDevelopersMayExport) {
  const std::string target = report_of_category("csv");
  EXPECT_EQ(get(target, "").status, 401);
  EXPECT_EQ(get(target, "forged-token").status, 401);
  EXPECT_EQ(get(target, *customer_).status, 403);
  for (const std::string role : {"user", "helper", "moderator"}) {
    const auto refused = get(target, token_of(*server_, role));
    EXPECT_EQ(refused.status, 403) << role;
    EXPECT_NE(refused.body.find("\"forbidden\""), std::string::npos) << refused.body;
  }
  EXPECT_EQ(get(target, *admin_).status, 200);
  EXPECT_EQ(get(target, token_of(*server_, "developer")).status, 200);
}

// A browser link (or Telegram's WebApp.downloadFile) cannot send headers.
TEST_F(ReportsOverHttp, TheTokenMayComeInTheQuery) {
  const std::string target = report_of_category("csv");
  EXPECT_EQ(get(target + "&token=" + *admin_, "").status, 200);
  EXPECT_EQ(get(target + "&token=forged", "").status, 401);
  EXPECT_EQ(get(target + "&token=" + token_of(*server_, "moderator"), "").status, 403);
  // Only this route takes it.
  EXPECT_EQ(get("/auth/me?token=" + *admin_, "").status, 401);
}

TEST_F(ReportsOverHttp, BadParametersAreInvalidRequests) {
  for (const std::string query :
       {"", "format=doc", "format=csv&from=2026-13-01", "format=csv&from=yesterday",
        "format=csv&to=2026-11-30T25:00:00Z", "format=csv&from=2026-11-30&to=2026-11-01",
        "format=csv&from=2026-11-30T10:00:00Z&to=2026-11-30T10:00:00Z", "format=csv&status=lost",
        "format=csv&category_id=abc", "format=csv&bom=2"}) {
    const auto response = get("/reports/tickets?" + query, *admin_);
    EXPECT_EQ(response.status, 400) << query << ": " << response.body;
    EXPECT_NE(response.body.find("\"invalid_request\""), std::string::npos) << response.body;
  }
  const auto unknown = get("/reports/tickets?format=csv&category_id=999999", *admin_);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("\"not_found\""), std::string::npos);
}

TEST_F(ReportsOverHttp, APeriodOfDaysNamesTheFile) {
  const auto response = get("/reports/tickets?format=pdf&from=2026-11-01&to=2026-11-30", *admin_);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-disposition"),
            "attachment; filename=\"tickets-2026-11-01-2026-11-30.pdf\"");
}

// Many tickets, written straight into the server's database (a real SQLite file) under a
// category of their own, so that an export takes a while.
void add_tickets(const std::filesystem::path& database, std::int64_t category_id, int count) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(database.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const std::string sql =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(count) +
      ") INSERT INTO tickets (subject, category_id, creator_id, created_at, updated_at, "
      "last_message_at) SELECT 'Bulk ticket ' || i, " +
      std::to_string(category_id) +
      ", (SELECT min(id) FROM users), unixepoch() - i, unixepoch() - i, unixepoch() - i FROM n";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// What the server's descriptors hold of temporary files: files named in `directory`, or
// already unlinked (a report file being read back, libxlsxwriter's sheet files). SQLite's
// own ("etilqs_…", a reader connection's temporary database, kept with the connection) are
// not the exports' business.
std::vector<std::string> temporary_descriptors(pid_t pid, const std::filesystem::path& directory) {
  std::vector<std::string> held;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    if (!error && target.find("etilqs_") == std::string::npos &&
        (target.starts_with(directory.string()) || target.ends_with("(deleted)")))
      held.push_back(target);
  }
  return held;
}

std::size_t report_files(const std::filesystem::path& directory) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    count += entry.path().filename().string().starts_with("ticketbot-report-") ? 1 : 0;
  return count;
}

// Leaves after the first bytes of the body, resetting the connection, for each format; the
// server stops making the file, removes its temporary file, closes what it opened, and
// serves on. (The ASan preset runs this too: a leak fails the server's exit code.)
TEST(ReportsUnderLoad, AClientThatLeavesMidExportLeavesNothingBehind) {
  const auto temp = make_temp_directory();
  TestServer server(Environment{{"TMPDIR", temp.string()}}, "demo");
  const auto admin = token_of(server, "admin");
  const auto category = call(server, "POST", "/categories", admin, R"({"name":"Bulk"})", 201);
  add_tickets(server.directory() / "test.db", category.at("id").as_int64(), 30000);
  for (const std::string format : {"csv", "xlsx", "pdf"}) {
    {
      Connection connection(server.port());
      connection.send("GET /reports/tickets?format=" + format +
                      "&category_id=" + std::to_string(category.at("id").as_int64()) +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin +
                      "\r\n\r\n");
      const std::string first = connection.read_raw(12, std::chrono::seconds(10));
      EXPECT_TRUE(first.starts_with("HTTP/1.1 200")) << format << ": " << first.substr(0, 200);
      connection.reset();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((report_files(temp) > 0 || !temporary_descriptors(server.pid(), temp).empty()) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(report_files(temp), 0u) << format;
    EXPECT_EQ(temporary_descriptors(server.pid(), temp), std::vector<std::string>{}) << format;
    EXPECT_EQ(server.request("GET", "/healthz").status, 200) << format;
  }
  EXPECT_EQ(occurrences(server.log(), "streamed body abandoned"), 3u) << server.log();
  // A whole export still works afterwards.
  const auto whole = server.request(
      "GET",
      "/reports/tickets?format=csv&category_id=" + std::to_string(category.at("id").as_int64()), "",
      "Authorization: Bearer " + admin + "\r\n");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(occurrences(whole.body, "\r\n"), 30001u);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  std::filesystem::remove_all(temp);
}

}  // namespace
}  // namespace tb::testing
