#include "connectors/alert_sinks/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <mutex>

namespace yuqing::alert_sinks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

Result<Url, std::string> parse_url(std::string_view url) {
  Url u;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    return Unexpected{"url '" + std::string(url) + "' must start with http:// or https://"};
  }
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!u.target.empty() && u.target[0] == '?') u.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return Unexpected{std::string("url must not carry user:password (use secret_env / secret_file)")};
  }
  if (authority.starts_with("[")) {  // [v6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Unexpected{"bad IPv6 host in url '" + std::string(url) + "'"};
    u.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (authority.starts_with(":")) u.port = std::string(authority.substr(1));
  } else {
    const auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) u.port = std::string(authority.substr(colon + 1));
  }
  if (u.host.empty()) return Unexpected{"url '" + std::string(url) + "' has no host"};
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  for (char c : u.port) {
    if (c < '0' || c > '9') return Unexpected{"url '" + std::string(url) + "' has a bad port"};
  }
  return u;
}

struct HttpClient::Impl {
  int timeout_ms;
  std::string ca_file;
  std::once_flag tls_once;
  std::unique_ptr<asio::ssl::context> tls;
  std::string tls_error;

  asio::ssl::context* tls_context() {
    std::call_once(tls_once, [&] {
      auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      boost::system::error_code ec;
      if (ca_file.empty()) {
        ctx->set_default_verify_paths(ec);
      } else {
        ctx->load_verify_file(ca_file, ec);
      }
      if (ec) {
        tls_error = "cannot load trusted certificates: " + ec.message();
        return;
      }
      ctx->set_verify_mode(asio::ssl::verify_peer);
      tls = std::move(ctx);
    });
    return tls.get();
  }
};

HttpClient::HttpClient(int timeout_ms, std::string ca_file) : impl_(std::make_unique<Impl>()) {
  impl_->timeout_ms = timeout_ms;
  impl_->ca_file = std::move(ca_file);
}
HttpClient::~HttpClient() = default;

HttpReply HttpClient::post(const Url& url, std::string_view body, std::string_view content_type,
                           const Headers& headers) {
  return request("POST", url, body, content_type, headers);
}

HttpReply HttpClient::get(const Url& url) { return request("GET", url, "", "", {}); }

namespace {

template <class Stream>
HttpReply exchange(Stream& stream, bhttp::request<bhttp::string_body>& req) {
  HttpReply reply;
  boost::system::error_code ec;
  bhttp::write(stream, req, ec);
  if (ec) {
    reply.error = "write failed: " + ec.message();
    return reply;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  bhttp::read(stream, buffer, parser, ec);
  if (ec == bhttp::error::body_limit) ec = {};  // keep what fits
  if (ec) {
    reply.error = "read failed: " + ec.message();
    return reply;
  }
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = std::move(parser.get().body());
  return reply;
}

}  // namespace

HttpReply HttpClient::request(std::string_view method, const Url& url, std::string_view body,
                              std::string_view content_type, const Headers& headers) {
  HttpReply reply;
  asio::io_context io;
  const auto timeout = std::chrono::milliseconds(impl_->timeout_ms);
  boost::system::error_code ec;

  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    reply.error = "cannot resolve " + url.host + ": " + ec.message();
    return reply;
  }

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), url.target, 11};
  const bool default_port = url.port == (url.tls ? "443" : "80");
  req.set(bhttp::field::host, default_port ? url.host : url.host + ":" + url.port);
  req.set(bhttp::field::user_agent, "yuqing-alerts/0.1");
  req.set(bhttp::field::connection, "close");
  if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  req.prepare_payload();

  if (!url.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(endpoints, ec);
    if (ec) {
      reply.error = "cannot connect to " + url.host + ":" + url.port + ": " + ec.message();
      return reply;
    }
    stream.expires_after(timeout);
    reply = exchange(stream, req);
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return reply;
  }

  auto* ctx = impl_->tls_context();
  if (ctx == nullptr) {
    reply.error = impl_->tls_error;
    return reply;
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, *ctx);
  // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
  if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url.host.c_str())) != 1) {
    reply.error = "cannot set TLS server name";
    return reply;
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(timeout);
  tcp.connect(endpoints, ec);
  if (ec) {
    reply.error = "cannot connect to " + url.host + ":" + url.port + ": " + ec.message();
    return reply;
  }
  tcp.expires_after(timeout);
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    reply.error = "TLS handshake with " + url.host + " failed: " + ec.message();
    return reply;
  }
  reply = exchange(stream, req);
  stream.shutdown(ec);  // peers often just close; not an error for us
  return reply;
}

}  // namespace yuqing::alert_sinks
