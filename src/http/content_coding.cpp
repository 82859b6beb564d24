#include "http/content_coding.hpp"

#include <charconv>

#include <zlib.h>

#include "http/header_values.hpp"

namespace tb::http {
namespace {

// The q-value of one list member ("gzip;q=0.5" → 0.5); 1 when absent, 0 when malformed.
double q_value(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    const auto parameter = trim_ows(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') ||
        parameter[1] != '=') {
      continue;
    }
    const auto number = parameter.substr(2);
    double q = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), q);
    if (error != std::errc() || end != number.data() + number.size() || q < 0 || q > 1) return 0;
    return q;
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  double gzip_q = -1;  // -1: not named
  double any_q = -1;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const auto member = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    const auto semicolon = member.find(';');
    const auto coding = trim_ows(member.substr(0, semicolon));
    const double q =
        semicolon == std::string_view::npos ? 1.0 : q_value(member.substr(semicolon + 1));
    if (iequals_ascii(coding, "gzip") || iequals_ascii(coding, "x-gzip")) gzip_q = q;
    if (coding == "*") any_q = q;
  }
  return gzip_q > 0 || (gzip_q < 0 && any_q > 0);
}

std::string gzip(std::string_view input, int level) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string output(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  const int result = deflate(&stream, Z_FINISH);
  output.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END ? output : std::string();
}

}  // namespace tb::http
