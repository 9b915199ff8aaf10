#include "engine/http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <thread>

#include "engine/base/log.h"
#include "engine/base/text.h"

namespace yuqing::http {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Route {
  std::string method;
  std::string path;
  bool prefix;
  Handler handler;
};

}  // namespace

std::string Request::param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    auto eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

Response problem(unsigned status, std::string_view title, std::string_view detail) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = "{\"type\":\"about:blank\",\"title\":";
  text::append_json_string(r.body, title);
  r.body += ",\"status\":" + std::to_string(status) + ",\"detail\":";
  text::append_json_string(r.body, detail);
  r.body += "}\n";
  return r;
}

Response json(std::string body, unsigned status) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

struct Server::Impl {
  ServerOptions options;
  std::vector<Route> routes;
  asio::io_context io{1};
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
  std::atomic<std::uint16_t> port{0};
  bool started = false;

  std::function<std::optional<Response>(const Request&)> guard;

  Response dispatch(const Request& req) const {
    if (guard) {
      if (auto denied = guard(req)) return std::move(*denied);
    }
    const Route* best = nullptr;
    bool path_known = false;
    for (const auto& r : routes) {
      const bool hit = r.prefix ? req.path.starts_with(r.path) : req.path == r.path;
      if (!hit) continue;
      path_known = true;
      if (r.method != req.method) continue;
      if (best == nullptr || (!r.prefix && best->prefix) || (r.prefix && best->prefix && r.path.size() > best->path.size())) {
        best = &r;
      }
    }
    if (best == nullptr) {
      if (path_known) return problem(405, "Method Not Allowed", std::string(req.method) + " is not supported on " + std::string(req.path));
      return problem(404, "Not Found", "no resource at " + std::string(req.path));
    }
    try {
      return best->handler(req);
    } catch (const std::exception& e) {
      log::error("HTTP handler for {} failed: {}", req.path, e.what());
      return problem(500, "Internal Server Error", "the handler failed; see the engine log");
    }
  }

  // One connection: read a request, answer, repeat while keep-alive.
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(tcp::socket socket, Impl& server) : stream_(std::move(socket)), server_(server) {}
    void start() { read(); }

   private:
    void read() {
      parser_.emplace();
      parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
      parser_->body_limit(server_.options.max_body_bytes);
      stream_.expires_after(std::chrono::milliseconds(server_.options.read_timeout_ms));
      http_read_async();
    }
    void http_read_async() {
      beast::http::async_read(stream_, buffer_, *parser_,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }
    void on_read(beast::error_code ec) {
      if (ec == beast::http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        close();
        return;
      }
      if (ec == beast::http::error::body_limit) {
        reply(problem(413, "Payload Too Large", "the request body is over the server's limit"), false);
        return;
      }
      if (ec == beast::http::error::header_limit) {
        reply(problem(431, "Request Header Fields Too Large", "the request headers are over the server's limit"), false);
        return;
      }
      if (ec) {
        reply(problem(400, "Bad Request", ec.message()), false);
        return;
      }
      const auto& msg = parser_->get();
      const std::string_view target(msg.target().data(), msg.target().size());
      const auto qpos = target.find('?');
      Request req;
      const std::string method(msg.method_string());
      req.method = method;
      req.path = target.substr(0, qpos);
      req.query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
      req.body = msg.body();
      req.header = [&msg](std::string_view name) -> std::string_view {
        auto it = msg.find(beast::string_view(name.data(), name.size()));
        if (it == msg.end()) return {};
        return {it->value().data(), it->value().size()};
      };
      reply(server_.dispatch(req), msg.keep_alive());
    }
    void reply(Response r, bool keep_alive) {
      auto res = std::make_shared<beast::http::response<beast::http::string_body>>();
      res->result(r.status);
      res->version(11);
      res->set(beast::http::field::server, "yuqing");
      res->set(beast::http::field::content_type, r.content_type);
      for (auto& [k, v] : r.headers) res->set(k, v);
      res->keep_alive(keep_alive);
      res->body() = std::move(r.body);
      res->prepare_payload();
      stream_.expires_after(std::chrono::milliseconds(server_.options.read_timeout_ms));
      beast::http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
        if (ec || !keep_alive) {
          self->close();
          return;
        }
        self->read();
      });
    }
    void close() {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
    Impl& server_;
  };

  void accept() {
    acceptor->async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), *this)->start();
      accept();
    });
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) { impl_->options = std::move(options); }

Server::~Server() { stop(); }

void Server::route(std::string method, std::string path, Handler handler) {
  impl_->routes.push_back({std::move(method), std::move(path), false, std::move(handler)});
}

void Server::route_prefix(std::string method, std::string prefix, Handler handler) {
  impl_->routes.push_back({std::move(method), std::move(prefix), true, std::move(handler)});
}

void Server::set_guard(std::function<std::optional<Response>(const Request&)> guard) { impl_->guard = std::move(guard); }

Status<std::string> Server::start() {
  const auto& listen = impl_->options.listen;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Unexpected{"HTTP listen address '" + listen + "' is not HOST:PORT"};
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return Unexpected{"HTTP listen address '" + listen + "' has no valid port"};
  }
  if (port < 0 || port > 65535) return Unexpected{"HTTP port out of range in '" + listen + "'"};
  beast::error_code ec;
  auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return Unexpected{"HTTP listen host '" + host + "' is not an IP address"};
  tcp::endpoint endpoint(addr, static_cast<unsigned short>(port));
  auto& acc = impl_->acceptor.emplace(impl_->io);
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unexpected{"cannot listen on " + listen + ": " + ec.message()};
  impl_->port = acc.local_endpoint().port();
  impl_->accept();
  impl_->started = true;
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return {};
}

void Server::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
  });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t Server::port() const { return impl_->port; }

}  // namespace yuqing::http
