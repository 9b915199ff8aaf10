#pragma once
// Signing helpers for webhook sinks (OpenSSL): HMAC-SHA256, hex, base64, URL encoding, and the
// signature formats of the generic webhook, Feishu and DingTalk. Stateless, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace yuqing::alert_sinks {

// Raw 32-byte HMAC-SHA256 of `message` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string to_hex(std::string_view bytes);      // lower case
std::string to_base64(std::string_view bytes);   // standard alphabet, padded
std::string url_encode(std::string_view s);      // RFC 3986 unreserved kept, rest %XX

// Generic webhook: "sha256=" + hex(HMAC-SHA256(secret, "<timestamp>.<body>")), the value of
// the X-Yuqing-Signature header; timestamp is unix seconds, sent as X-Yuqing-Timestamp.
std::string webhook_signature(std::string_view secret, std::int64_t timestamp_s, std::string_view body);

// Feishu custom bot: base64(HMAC-SHA256(key = "<timestamp>\n<secret>", message = "")),
// timestamp in unix seconds (goes into the JSON body with the sign).
std::string feishu_sign(std::string_view secret, std::int64_t timestamp_s);

// DingTalk robot: base64(HMAC-SHA256(key = secret, message = "<timestamp>\n<secret>")), timestamp
// in unix milliseconds; url-encode it into &timestamp=..&sign=.. of the webhook URL.
std::string dingtalk_sign(std::string_view secret, std::int64_t timestamp_ms);

}  // namespace yuqing::alert_sinks
