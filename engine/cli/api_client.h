#pragma once
// A blocking HTTP GET against a running engine's API, shared by `yuqing query` and
// `yuqing report`. The bearer token comes from YUQING_API_TOKEN when set.

#include <string>
#include <string_view>

#include "engine/base/result.h"

namespace yuqing::cli {

struct ApiResponse {
  unsigned status = 0;
  std::string body;
};

// server: HOST:PORT or http://HOST:PORT[/]. Errors: a bad address, or no engine answering
// (the message says so and suggests `yuqing run` / --server). Non-200 answers are not errors.
Result<ApiResponse, std::string> api_get(std::string_view server, const std::string& target);

// The `detail` of an RFC 7807 problem body, else the body itself.
std::string problem_detail(const ApiResponse& response);

// Percent-encodes a query value or path segment (keeps A-Z a-z 0-9 - _ . ~ , :).
std::string url_encode(std::string_view s);

}  // namespace yuqing::cli
