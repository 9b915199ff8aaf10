#include "engine/cli/api_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <cctype>
#include <chrono>
#include <cstdlib>

namespace yuqing::cli {

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<ApiResponse, std::string> api_get(std::string_view server, const std::string& target) {
  namespace beast = boost::beast;
  namespace asio = boost::asio;
  std::string_view address = server;
  if (address.starts_with("http://")) address.remove_prefix(7);
  while (address.ends_with('/')) address.remove_suffix(1);
  const auto colon = address.rfind(':');
  if (server.starts_with("https://") || colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
    return Unexpected{"--server must be HOST:PORT or http://HOST:PORT, got '" + std::string(server) + "'"};
  }
  const std::string host(address.substr(0, colon)), port(address.substr(colon + 1));
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(host, port));
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
    req.set(beast::http::field::host, std::string(address));
    if (const char* token = std::getenv("YUQING_API_TOKEN"); token && *token) {
      req.set(beast::http::field::authorization, std::string("Bearer ") + token);
    }
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::http::read(stream, buffer, parser);
    auto& res = parser.get();
    return ApiResponse{res.result_int(), std::move(res.body())};
  } catch (const boost::system::system_error& e) {
    return Unexpected{"no engine answering at " + std::string(address) + " (" + e.code().message() +
                      "); start one with `yuqing run` or pass --server"};
  } catch (const std::exception& e) {
    return Unexpected{"no engine answering at " + std::string(address) + " (" + e.what() +
                      "); start one with `yuqing run` or pass --server"};
  }
}

std::string problem_detail(const ApiResponse& response) {
  boost::system::error_code ec;
  auto v = boost::json::parse(response.body, ec);
  if (!ec && v.is_object()) {
    if (const auto* d = v.as_object().if_contains("detail"); d && d->is_string()) return std::string(d->as_string());
  }
  return response.body;
}

}  // namespace yuqing::cli
