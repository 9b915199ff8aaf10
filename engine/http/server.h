#pragma once
// A small HTTP/1.1 server (Boost.Beast) for /metrics, health and the JSON API.
//
// Handlers run on the server's own I/O thread, one request at a time: keep them short and
// never call into the hot path with locks held there. Limits protect the engine from slow or
// greedy clients: header and body size caps, and a read timeout per request.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::http {

struct Request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // target without the query string
  std::string_view query;   // after '?', undecoded
  std::string_view body;
  std::function<std::string_view(std::string_view)> header;  // "" when absent

  // Decoded value of a query parameter; empty when absent.
  std::string param(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(const Request&)>;

// RFC 7807 problem details (application/problem+json).
Response problem(unsigned status, std::string_view title, std::string_view detail);
Response json(std::string body, unsigned status = 200);

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  int read_timeout_ms = 10'000;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Exact path match; register before start().
  void route(std::string method, std::string path, Handler handler);
  // Paths starting with `prefix` (for /api/v1/brands/{id}/...); longest prefix wins.
  void route_prefix(std::string method, std::string prefix, Handler handler);

  // A check run before every handler (e.g. bearer-token auth): a returned response is sent
  // instead of calling the handler. Register before start().
  void set_guard(std::function<std::optional<Response>(const Request&)> guard);

  // Binds and starts the I/O thread.
  Status<std::string> start();
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yuqing::http
