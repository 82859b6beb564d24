// Byte strings as text: hex (Telegram's hashes and keys, token hashes) and unpadded
// base64url (Telegram's Ed25519 signatures, session tokens, opaque paging cursors).
// Pure functions; the decoders answer nothing for text that is not a canonical spelling.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tb {

std::string to_hex(std::string_view bytes);  // lower case
std::optional<std::string> from_hex(std::string_view hex);
std::string base64url_encode(std::string_view bytes);  // no padding
// Refuses padding, the '+' and '/' of standard base64, and non-canonical spellings (stray
// bits in the last character), so one value has one text.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace tb
