#pragma once
// HTTP API over the window store (JSON; errors as application/problem+json):
//   GET /api/v1/brands
//   GET /api/v1/brands/{id}/trend?window=24h&step=1h[&until=T][&baseline=mentions|negatives|off]
//   GET /api/v1/brands/{id}/mentions?label=negative&limit=20[&window=7d][&until=T][&platform=weibo]
//   GET /api/v1/compare?brands=a,b,c&window=7d[&until=T]   (one brand: it and its competitors)
// T is RFC 3339 or epoch ms; the default is the event-time watermark (end of its minute).
// Unknown brand -> 404, bad parameter -> 400. Response fields: docs/windows.md.
//
// Threading: handlers run on the HTTP server's thread and only read (RocksDB snapshots and the
// brand table); the store must outlive the server.

#include "engine/http/server.h"
#include "engine/window/window.h"

namespace yuqing::window {

// Registers the routes above on `server` (before server.start()).
void register_routes(http::Server& server, const WindowStore& store);

// Epoch ms -> "2024-05-01T12:00:00Z" (UTC, seconds; milliseconds when not whole).
std::string format_time(std::int64_t epoch_ms);

}  // namespace yuqing::window
