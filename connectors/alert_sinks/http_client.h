#pragma once
// A small synchronous HTTP/1.1 client for the sinks (Boost.Beast): one POST per call, a new
// connection each time, one deadline over connect + write + read. http:// and https://
// (OpenSSL, peer and host name verified against the system trust store or `ca_file`).
//
// Threading: a client is used by one deliverer thread at a time; separate clients are
// independent.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::alert_sinks {

struct Url {
  bool tls = false;
  std::string host;
  std::string port;    // "80" / "443" when not given
  std::string target;  // path + query, "/" at least
};
Result<Url, std::string> parse_url(std::string_view url);

struct HttpReply {
  int status = 0;    // 0 when no response was read (see error)
  std::string body;  // first 64 KiB
  std::string error; // connection / timeout / TLS failure, "" when a response was read
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // ca_file: PEM bundle to trust instead of the system store ("" = system).
  explicit HttpClient(int timeout_ms, std::string ca_file = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply post(const Url& url, std::string_view body, std::string_view content_type, const Headers& headers = {});
  HttpReply get(const Url& url);

 private:
  HttpReply request(std::string_view method, const Url& url, std::string_view body, std::string_view content_type,
                    const Headers& headers);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yuqing::alert_sinks
