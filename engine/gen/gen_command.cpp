// `yuqing gen`: options -> GenOptions -> Generator -> JSONL on stdout or a file, optionally
// paced in wall-clock time.

#include "engine/gen/gen_command.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "engine/gen/gen.h"

namespace yuqing::gen {
namespace {

struct CmdOptions {
  std::uint64_t seed = 42;
  std::int64_t count = 1000;
  std::optional<double> rate;
  std::optional<double> per_minute;
  std::string start = "2026-11-01T00:00:00Z";
  std::string scenario;
  std::string rules = "rules";
  double bad_share = 0;
  std::string out;
};

void say(const std::string& msg) { std::fprintf(stderr, "yuqing gen: %s\n", msg.c_str()); }

// Writes everything or reports why not. EPIPE (the reader went away) counts as a clean stop.
enum class WriteResult { ok, closed, error };
WriteResult write_all(std::FILE* f, const std::string& buf, bool flush) {
  if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) {
    return errno == EPIPE ? WriteResult::closed : WriteResult::error;
  }
  if (flush && std::fflush(f) != 0) return errno == EPIPE ? WriteResult::closed : WriteResult::error;
  return WriteResult::ok;
}

int run(const CmdOptions& o) {
  GenOptions g;
  g.seed = o.seed;
  g.count = o.count == 0 ? -1 : o.count;
  g.bad_share = o.bad_share;
  if (o.start == "now") {
    g.start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  } else {
    auto t = parse_rfc3339(o.start);
    if (!t) {  // already checked by the option's validator; kept for direct callers
      say("--start: " + t.error());
      return cli::kExitUsage;
    }
    g.start_ms = *t;
  }
  // --rate alone: event time follows wall time (per_minute = rate * 60).
  const bool pace_by_event_time = o.rate && !o.per_minute;
  g.per_minute = o.per_minute ? *o.per_minute : o.rate ? *o.rate * 60 : 600;

  auto brands = load_brands(o.rules);
  if (!brands) {
    say(brands.error());
    return cli::kExitUsage;
  }
  g.brands = std::move(brands.value());
  if (!o.scenario.empty()) {
    auto sc = load_scenario(o.scenario);
    if (!sc) {
      say(sc.error());
      return cli::kExitUsage;
    }
    g.scenario = std::move(sc.value());
  }
  if (auto st = validate_options(g); !st) {
    say(st.error());
    return cli::kExitUsage;
  }

  std::FILE* f = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, &std::fclose);
  if (!o.out.empty() && o.out != "-") {
    owned.reset(std::fopen(o.out.c_str(), "wb"));
    if (!owned) {
      say("cannot open --out " + o.out + ": " + std::strerror(errno));
      return cli::kExitFailure;
    }
    f = owned.get();
  }
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe becomes EPIPE, handled as a clean stop

  const std::int64_t count = g.count;
  const std::int64_t start_ms = g.start_ms;
  Generator gen(std::move(g));
  std::string buf;
  buf.reserve(1 << 21);
  const auto wall0 = std::chrono::steady_clock::now();
  WriteResult wr = WriteResult::ok;
  for (std::int64_t i = 0; count < 0 || i < count; ++i) {
    gen.next(buf);
    buf += '\n';
    if (o.rate) {
      const auto target =
          pace_by_event_time
              ? wall0 + std::chrono::milliseconds(gen.clock_ms() - start_ms)
              : wall0 + std::chrono::nanoseconds(static_cast<std::int64_t>(
                            static_cast<double>(i) * 1e9 / *o.rate));
      if (target > std::chrono::steady_clock::now()) {
        if ((wr = write_all(f, std::string(), true)) != WriteResult::ok) break;
        std::this_thread::sleep_until(target);
      }
      wr = write_all(f, buf, true);
      buf.clear();
    } else if (buf.size() >= (1 << 20)) {
      wr = write_all(f, buf, false);
      buf.clear();
    }
    if (wr != WriteResult::ok) break;
  }
  if (wr == WriteResult::ok) wr = write_all(f, buf, true);
  if (wr == WriteResult::error) {
    say(std::string("write failed: ") + std::strerror(errno));
    return cli::kExitFailure;
  }
  if (owned && std::fclose(owned.release()) != 0) {
    say(std::string("closing --out failed: ") + std::strerror(errno));
    return cli::kExitFailure;
  }
  return cli::kExitOk;
}

// Sign checks with short messages (CLI11's PositiveNumber prints DBL_MAX in full).
CLI::Validator sign_check(bool allow_zero, const char* name) {
  return CLI::Validator(
      [allow_zero](std::string& s) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(s, v)) return "'" + s + "' is not a number";
        if (allow_zero ? v >= 0 : v > 0) return {};
        return std::string(allow_zero ? "must be 0 or more" : "must be more than 0") + ", got " + s;
      },
      name);
}

}  // namespace

void register_gen_command(CLI::App& root, cli::CommandResult& result) {
  auto o = std::make_shared<CmdOptions>();
  CLI::App* sub = root.add_subcommand(
      "gen", "Write a seeded, deterministic stream of synthetic mentions as JSON lines");
  sub->footer(
      "Same options => same bytes. Brands come from RULES/brands/*.yaml; scenarios are\n"
      "described in rules/scenarios/README.md. Example:\n"
      "  yuqing gen --count 0 --rate 10 --start now --scenario rules/scenarios/demo-crisis.yaml");
  sub->add_option("--seed", o->seed, "PRNG seed")->capture_default_str();
  sub->add_option("--count", o->count, "Lines to write; 0 = unbounded")
      ->check(sign_check(true, "NONNEGATIVE"))
      ->capture_default_str();
  sub->add_option("--rate", o->rate,
                  "Stream at N lines/s of wall-clock time (default: as fast as possible). "
                  "Without --per-minute, event time follows wall time (per-minute = N*60)")
      ->check(sign_check(false, "POSITIVE"));
  sub->add_option("--per-minute", o->per_minute,
                  "Base mentions per minute of event time (default 600)")
      ->check(CLI::Range(1e-6, 1e9));
  sub->add_option("--start", o->start, "Event time of the first line: RFC 3339 or 'now'")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            if (s == "now") return {};
            auto t = parse_rfc3339(s);
            return t ? std::string() : t.error();
          },
          "TIME", "rfc3339"));
  sub->add_option("--scenario", o->scenario, "Scenario YAML file (events on top of the base stream)")
      ->check(CLI::ExistingFile);
  sub->add_option("--rules", o->rules, "Rules directory; brands are read from DIR/brands/*.yaml")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--bad-share", o->bad_share,
                  "Share of deliberately malformed lines, 0..1 (kinds cycle: malformed_json, "
                  "invalid_utf8, too_large, missing_field, bad_type, bad_timestamp, bad_value)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--out", o->out, "Output file (default: stdout)");
  sub->callback([o, &result] { result.exit_code = run(*o); });
}

}  // namespace yuqing::gen
