#include "engine/dashboard/dashboard.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace yuqing::dashboard {
namespace {

struct EmbeddedFile {
  const char* name;
  const unsigned char* bytes;
  std::size_t size;
};
#include "engine/dashboard/dashboard_assets.inc"

// The page runs only its own script and style and talks only to its own origin.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::string etag_of(std::string_view body) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

struct Table {
  std::vector<std::string> etags;
  std::vector<Asset> assets;
  Table() {
    etags.reserve(std::size(kEmbeddedFiles));
    for (const auto& f : kEmbeddedFiles) {
      const std::string_view body(reinterpret_cast<const char*>(f.bytes), f.size);
      etags.push_back(etag_of(body));
      assets.push_back(Asset{f.name, content_type(f.name), body, etags.back()});
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

http::Response serve(const http::Request& req, const Asset& a) {
  http::Response r;
  r.headers.emplace_back("ETag", std::string(a.etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (a.name.ends_with(".html")) {
    r.headers.emplace_back("Content-Security-Policy", std::string(kPagePolicy));
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  if (req.header && req.header("If-None-Match") == a.etag) {
    r.status = 304;
    r.content_type = std::string(a.content_type);
    return r;
  }
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.body);
  return r;
}

}  // namespace

const Asset* find_asset(std::string_view name) {
  for (const auto& a : table().assets) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void register_routes(http::Server& server) {
  const auto index = [](const http::Request& req) { return serve(req, *find_asset("index.html")); };
  server.route("GET", "/", index);
  server.route("GET", "/dashboard", index);
  server.route_prefix("GET", "/dashboard/", [index](const http::Request& req) {
    const std::string_view name = req.path.substr(std::string_view("/dashboard/").size());
    if (name.empty()) return index(req);
    if (const Asset* a = find_asset(name)) return serve(req, *a);
    return http::problem(404, "Not Found", "the dashboard has no file '" + std::string(name) + "'");
  });
}

}  // namespace yuqing::dashboard
