// The cryptography the rules rest on, over OpenSSL: digests and HMAC (Telegram's initData
// and Login Widget, session token hashes), Ed25519 verification (initData signed by
// Telegram), comparison that takes the same time wherever the inputs differ, and random
// bytes for secrets. Byte strings in and out; encodings are in core/encoding.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tb {

std::string hmac_sha256(std::string_view key, std::string_view message);  // raw bytes
std::string sha256(std::string_view data);                                // raw bytes

// True when `signature` is a valid Ed25519 signature of `message` by the raw 32-byte
// `public_key`; false for any malformed input.
bool verify_ed25519(std::string_view public_key, std::string_view message,
                    std::string_view signature);

// Compares secrets without leaking, through timing, where they first differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// `count` bytes from OpenSSL's CSPRNG; throws std::runtime_error if it cannot give them.
std::string random_bytes(std::size_t count);

}  // namespace tb
