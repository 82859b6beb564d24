// Content codings (RFC 9110 §8.4, §12.5.3): which ones a client accepts, and gzip itself.
// Static files keep a gzip copy made once; JSON answers are compressed as they go out.
#pragma once

#include <string>
#include <string_view>

namespace tb::http {

// Whether an Accept-Encoding value allows gzip: named (or `*`) with a q-value above 0.
// `gzip;q=0` refuses it, as does a header that names neither gzip nor `*`.
bool accepts_gzip(std::string_view accept_encoding);

// `input` as a gzip member (not raw deflate: every browser and curl --compressed take it);
// empty when zlib fails. Level 1 to 9: speed against size.
std::string gzip(std::string_view input, int level);

}  // namespace tb::http
