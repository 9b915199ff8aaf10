#include "engine/cli/query_command.h"

#include <boost/json.hpp>

#include <iostream>

#include "engine/alert/service.h"
#include "engine/analyze/analyze_stage.h"
#include "engine/base/log.h"
#include "engine/cli/api_client.h"
#include "engine/state/state.h"
#include "engine/window/window.h"

namespace yuqing::cli {
namespace {

struct QueryFlags {
  std::string server = "127.0.0.1:8080";
  std::string brand, brands, window, step, until, label;
  int limit = 20;
};

std::string encode(std::string_view s) { return url_encode(s); }

// GETs target from the engine; prints the JSON body (pretty) or the problem detail.
int get(const std::string& server, const std::string& target) {
  auto res = api_get(server, target);
  if (!res) {
    std::cerr << "yuqing query: " << res.error() << "\n";
    return res.error().starts_with("--server") ? kExitUsage : kExitFailure;
  }
  if (res->status != 200) {
    std::cerr << "yuqing query: " << res->status << ": " << problem_detail(*res) << "\n";
    return kExitFailure;
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(res->body, ec);
  std::cout << (ec ? res->body : boost::json::serialize(v)) << "\n";
  return kExitOk;
}

}  // namespace

void register_query_command(CLI::App& root, CommandResult& result) {
  auto f = std::make_shared<QueryFlags>();
  auto* cmd = root.add_subcommand("query", "Ask a running engine for trends, comparisons, mentions or alerts (JSON).");
  cmd->require_subcommand(1);
  cmd->add_option("--server", f->server, "Engine HTTP address (default 127.0.0.1:8080); token from YUQING_API_TOKEN");

  auto* trend = cmd->add_subcommand("trend", "Volume, sentiment, negative ratio, reach and baseline per step");
  trend->add_option("--brand", f->brand, "Brand id")->required();
  trend->add_option("--window", f->window, "5m, 1h, 24h, 7d ... (default 24h)");
  trend->add_option("--step", f->step, "Step, e.g. 1h");
  trend->add_option("--until", f->until, "End (RFC 3339 or epoch ms; default: newest event time)");
  trend->callback([f, &result] {
    std::string t = "/api/v1/brands/" + encode(f->brand) + "/trend?window=" + encode(f->window.empty() ? "24h" : f->window);
    if (!f->step.empty()) t += "&step=" + encode(f->step);
    if (!f->until.empty()) t += "&until=" + encode(f->until);
    result.exit_code = get(f->server, t);
  });

  auto* compare = cmd->add_subcommand("compare", "Share of voice, sentiment and change against the previous window");
  compare->add_option("--brands", f->brands, "Comma-separated brand ids")->required();
  compare->add_option("--window", f->window, "Window (default 7d)");
  compare->callback([f, &result] {
    result.exit_code =
        get(f->server, "/api/v1/compare?brands=" + encode(f->brands) + "&window=" + encode(f->window.empty() ? "7d" : f->window));
  });

  auto* mentions = cmd->add_subcommand("mentions", "Top recent mentions of a brand by reach");
  mentions->add_option("--brand", f->brand, "Brand id")->required();
  mentions->add_option("--label", f->label, "negative, neutral or positive");
  mentions->add_option("--limit", f->limit, "How many (default 20)")->check(CLI::Range(1, 200));
  mentions->callback([f, &result] {
    std::string t = "/api/v1/brands/" + encode(f->brand) + "/mentions?limit=" + std::to_string(f->limit);
    if (!f->label.empty()) t += "&label=" + encode(f->label);
    result.exit_code = get(f->server, t);
  });

  auto* alerts = cmd->add_subcommand("alerts", "Alert history");
  alerts->add_option("--brand", f->brand, "Only this brand");
  alerts->add_option("--since", f->until, "Updated since (RFC 3339 or epoch ms)");
  alerts->callback([f, &result] {
    std::string t = "/api/v1/alerts?brand=" + encode(f->brand);
    if (!f->until.empty()) t += "&since=" + encode(f->until);
    result.exit_code = get(f->server, t);
  });
}

void register_state_command(CLI::App& root, CommandResult& result) {
  auto state_dir = std::make_shared<std::string>("yuqing-state");
  auto author = std::make_shared<std::string>();
  auto* cmd = root.add_subcommand("state", "Maintain the engine's state directory (stop the engine first).");
  cmd->require_subcommand(1);
  auto* erase = cmd->add_subcommand(
      "erase-author", "Erase what the state keeps about one author (erasure requests); logged. The engine must be stopped.");
  erase->add_option("AUTHOR_ID", *author, "The author id as it appears in mentions (author.id)")->required();
  erase->add_option("--state", *state_dir, "State folder (default: yuqing-state)");
  erase->callback([state_dir, author, &result] {
    log::init("info");
    state::StateOptions options;
    options.extra_column_families = {std::string(window::kBucketsFamily), std::string(window::kTopFamily),
                                     std::string(alert::kAlertsColumnFamily)};
    options.configure_column_family = [](const std::string& name, rocksdb::ColumnFamilyOptions& o) {
      window::configure_column_family(name, o);
    };
    auto store = state::StateStore::open(*state_dir, options);
    if (!store) {
      std::cerr << "yuqing state: " << store.error() << " (is the engine still running?)\n";
      result.exit_code = kExitFailure;
      return;
    }
    auto windows = window::WindowStore::open(**store);
    auto key = (*store)->author_hash_key();
    if (!windows || !key) {
      std::cerr << "yuqing state: " << (windows ? key.error() : windows.error()) << "\n";
      result.exit_code = kExitFailure;
      return;
    }
    rocksdb::WriteBatch batch;
    const auto erased = (*windows)->erase_author(analyze::author_hash(*key, *author), batch);
    if (auto st = (*store)->commit(batch); !st) {
      std::cerr << "yuqing state: " << st.error() << "\n";
      result.exit_code = kExitFailure;
      return;
    }
    // The id itself is not logged: the log is not the place for personal data either.
    log::info("Erasure request done: {} stored mention(s) of the author removed from {}. Unique-author "
              "sketches cannot forget one author (docs/windows.md); the dead-letter file keeps raw rejected lines.",
              erased, *state_dir);
    std::cout << "erased " << erased << "\n";
  });
}

}  // namespace yuqing::cli
