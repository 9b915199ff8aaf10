// Fuzz target: raw bytes as an HTTP request to the engine's HTTP server (engine/http, Boost.Beast
// request parsing, size limits, routing, the bearer-token guard) with the engine's API routes
// behind it: the window API (trend, compare, mentions, brands; engine/window/api.h) and the
// alert API (list, ack; engine/alert/service.h) over a real state store with a little data.
//
// The server runs in this process on 127.0.0.1:<free port>, as in the engine; each input is
// written to a fresh loopback connection, the write side is shut down, and the answer is read
// until the server closes (at most 5 s; the server times a silent client out after 1 s). Every
// request must get an answer that starts with an HTTP/1.1 status line, or none at all (the
// server may close a connection it cannot parse); the process must not crash, hang or leak.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/registry.h>
#include <rocksdb/write_batch.h>

#include "engine/alert/service.h"
#include "engine/base/text.h"
#include "engine/http/server.h"
#include "engine/state/state.h"
#include "engine/window/api.h"
#include "engine/window/window.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using namespace yuqing;
namespace fs = std::filesystem;
constexpr std::int64_t kT0 = 1714953600000;  // 2024-05-06T00:00:00Z
constexpr std::string_view kToken = "fuzz-token";

struct Engine {
  fs::path dir;
  std::unique_ptr<state::StateStore> state;
  std::unique_ptr<window::WindowStore> windows;
  prometheus::Registry registry;
  std::unique_ptr<alert::AlertService> alerts;
  std::unique_ptr<http::Server> server;
  std::uint16_t port = 0;

  Engine() {
    std::string tmpl = (fs::temp_directory_path() / "yuqing-fuzz-http.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    state::StateOptions so;
    so.extra_column_families = {std::string(window::kBucketsFamily), std::string(window::kTopFamily),
                                std::string(alert::kAlertsColumnFamily)};
    so.configure_column_family = [](const std::string& name, rocksdb::ColumnFamilyOptions& o) {
      window::configure_column_family(name, o);
    };
    auto st = state::StateStore::open((dir / "state").string(), so);
    FUZZ_CHECK(st.ok());
    state = std::move(*st);
    auto w = window::WindowStore::open(*state);
    FUZZ_CHECK(w.ok());
    windows = std::move(*w);
    windows->set_brands({{"acme", "Acme", {"zenith"}}, {"zenith", "Zenith", {"acme"}}, {"蓝途汽车", "", {}}},
                        {"service", "quality"});
    auto& agg = windows->aggregator();
    for (int i = 0; i < 48; ++i) {
      window::WindowUpdate u;
      u.brand = static_cast<std::uint32_t>(i % 3);
      u.event_ms = kT0 + i * 30 * window::kMinuteMs;
      u.label = static_cast<std::int8_t>(i % 3 - 1);
      u.reach = 100;
      u.platform = Platform::weibo;
      u.author_hash = static_cast<std::uint64_t>(i + 1);
      agg.add(u);
      window::TopMentionView v;
      const std::string id = "weibo:" + std::to_string(i);
      v.id = id;
      v.text = "很失望";
      v.label = -1;
      v.reach = 1000;
      v.event_ms = u.event_ms;
      agg.add_top_mention(u.brand, v);
    }
    rocksdb::WriteBatch batch;
    agg.flush(batch);
    FUZZ_CHECK(state->db()->Write(rocksdb::WriteOptions(), &batch).ok());

    alerts = std::make_unique<alert::AlertService>(*state, nullptr, registry);
    alerts->configure({{"acme", "Acme", "en", {"zenith"}}, {"zenith", "Zenith", "en", {"acme"}}},
                      alert::Policy::defaults());

    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.max_header_bytes = 8 * 1024;
    o.max_body_bytes = 64 * 1024;
    o.read_timeout_ms = 1000;
    server = std::make_unique<http::Server>(o);
    server->route("GET", "/healthz", [](const http::Request&) { return http::Response{200, "text/plain", "ok\n", {}}; });
    server->route("POST", "/api/v1/echo", [](const http::Request& req) {
      std::string body = "{\"param\":";
      text::append_json_string(body, req.param("q"));
      body += ",\"length\":" + std::to_string(req.body.size()) + "}";
      return http::json(body);
    });
    // The engine's guard when api.auth_reads is on (engine/cli/run_command.cpp).
    server->set_guard([](const http::Request& req) -> std::optional<http::Response> {
      if (!req.path.starts_with("/api/") || req.header("X-Fuzz-Open") == "1") return std::nullopt;
      const std::string_view auth = req.header("Authorization");
      if (auth.starts_with("Bearer ") && text::constant_time_equal(auth.substr(7), kToken)) return std::nullopt;
      return http::problem(401, "Unauthorized", "a valid bearer token is required for /api/");
    });
    window::register_routes(*server, *windows);
    alerts->register_routes(*server, std::string(kToken));
    FUZZ_CHECK(server->start().ok());
    port = server->port();
  }
  ~Engine() {
    server.reset();
    alerts.reset();
    windows.reset();
    state.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Engine& engine() {
  static Engine* e = new Engine();  // never destroyed: RocksDB must not close during static destruction
  return *e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint16_t port = engine().port;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  FUZZ_CHECK(fd >= 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  FUZZ_CHECK(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server answered early (e.g. 431) and closed
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      // A timeout here means the server neither answered nor closed: a hang.
      FUZZ_CHECK(errno != EAGAIN && errno != EWOULDBLOCK);
      break;
    }
    if (n == 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  FUZZ_CHECK(answer.empty() || answer.starts_with("HTTP/1.1 "));
  return 0;
}
