#include "tests/support/window_counts.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>

#include "tests/support/support.h"

namespace yuqing::testing {

WindowCounts window_counts(const std::string& state_dir, const std::string& scratch_dir, const std::string& until,
                           const std::string& window) {
  WindowCounts counts;
  const auto port = free_port();
  const std::string empty = scratch_dir + "/empty.jsonl";
  write_file(empty, "");
  const std::vector<std::string> serve = {yuqing_binary(), "run", "--input", empty, "--rules",
                                          (source_dir() / "rules").string(), "--state", state_dir, "--http",
                                          "127.0.0.1:" + std::to_string(port), "--log-level", "warn"};
  BackgroundProcess engine(serve, scratch_dir + "/serve.out", scratch_dir + "/serve.err");
  EXPECT_TRUE(eventually([&] { return http_get(port, "/readyz").status == 200; }, 30))
      << read_file(scratch_dir + "/serve.err");
  const auto listing = http_get(port, "/api/v1/brands");
  boost::system::error_code ec;
  auto parsed = boost::json::parse(listing.body, ec);
  EXPECT_TRUE(!ec && parsed.is_object()) << listing.status << " " << listing.body;
  if (!ec && parsed.is_object()) {
    for (const auto& b : parsed.at("brands").as_array()) {
      const std::string id(b.at("id").as_string());
      auto r = http_get(port, "/api/v1/brands/" + id + "/trend?window=" + window + "&step=1m&until=" + until);
      EXPECT_EQ(r.status, 200) << r.body;
      const auto trend = boost::json::parse(r.body, ec);
      if (ec) continue;
      for (const auto& pt : trend.at("points").as_array()) {
        for (const char* field : {"mentions", "positive", "neutral", "negative", "reach"}) {
          counts[id + " " + field].push_back(pt.at(field).to_number<std::uint64_t>());
        }
      }
    }
  }
  engine.signal(SIGTERM);
  EXPECT_EQ(engine.wait(30), 0);
  return counts;
}

WindowCounts add_counts(const WindowCounts& a, const WindowCounts& b) {
  WindowCounts sum = a;
  for (const auto& [key, values] : b) {
    auto& target = sum[key];
    if (target.size() < values.size()) target.resize(values.size(), 0);
    for (std::size_t i = 0; i < values.size(); ++i) target[i] += values[i];
  }
  return sum;
}

std::uint64_t total_mentions(const WindowCounts& counts) {
  std::uint64_t total = 0;
  for (const auto& [key, values] : counts) {
    if (key.ends_with(" mentions")) {
      for (auto v : values) total += v;
    }
  }
  return total;
}

}  // namespace yuqing::testing
