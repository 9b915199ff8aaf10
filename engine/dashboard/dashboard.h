#pragma once
// The brand dashboard page, served by the engine itself (no CDN, no framework):
//   GET /                       index.html
//   GET /dashboard/             index.html
//   GET /dashboard/{file}       dashboard.js, dashboard.css
// The files live next to this header and are embedded into the binary at build time
// (embed_assets.cmake). The page calls the same-origin JSON API (/api/v1/...) and nothing else.
// Responses carry an ETag (FNV-1a of the bytes) and Cache-Control: no-cache, so browsers
// revalidate with If-None-Match and get a 304 until the binary changes.
//
// Threading: the asset table is immutable after first use; handlers are safe on any thread.

#include <string_view>

#include "engine/http/server.h"

namespace yuqing::dashboard {

struct Asset {
  std::string_view name;          // "index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;          // the embedded bytes (static storage)
  std::string_view etag;          // quoted strong validator
};

// The embedded file `name` ("index.html", "dashboard.js", "dashboard.css"); nullptr if none.
const Asset* find_asset(std::string_view name);

// Registers the routes above (before server.start()).
void register_routes(http::Server& server);

}  // namespace yuqing::dashboard
