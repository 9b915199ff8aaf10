// alert_latency: how long an alert takes from the mention that triggered it entering the
// engine to the alert line written by the file sink (issue 6), at a paced rate in wall time.
//
// Per run, in one process:
//   generator thread  the seeded generator (engine/gen) paced exactly like
//                     `yuqing gen --rate R --start now` (event time follows wall time:
//                     per_minute = 60 R, a line is written when the wall clock reaches its
//                     event clock), with a crisis scenario scaled to the rate (below), writing
//                     JSON lines into a pipe. It records, for every write(), the wall time the
//                     pipe accepted it (= the moment those mentions were handed to the
//                     engine), their byte range and their event clocks.
//   engine            bench/e2e/harness.h (run_command.cpp's embedded wiring) reading the pipe
//                     through the JSONL source (as `yuqing run --input -` reads stdin), live
//                     mode (no --exit-at-eof), state in a temporary directory, alert sinks
//                     from alerts.yaml: the shipped policy plus one `type: file` sink. The
//                     file sink is wrapped: right after it has written an alert line, the
//                     wrapper notes the wall time, the alert's id, detector, tier and event
//                     times.
//
// Measurement, per alert notification (opened / escalated / updated):
//   latency = (time the file sink finished writing the line)
//           - (time the generator handed the engine the LAST mention whose event clock is
//              <= the alert's `updated` event time)
// For a per-mention detector (influencer_negative) `updated` is the triggering mention's own
// event time, so this is mention-in -> alert-out. For window detectors `updated` is the
// minute boundary they were evaluated at, so this is "the boundary's last mention in ->
// alert out"; the wait for the boundary itself (0-60 s of event time after the mentions that
// made the condition true) is the evaluation cadence and is NOT in the figure (see
// bench/README.md). For influencer alerts the reference is the write of the line by an author
// with >= 1,000,000 followers whose created_at equals `updated` (the earliest, if several were
// written before the alert). Such lines (~1 %) get their created_at rewritten as the
// generator's exact event time in epoch milliseconds (it writes many timestamps to the
// second, which would make the trigger ambiguous); late lines stay behind the clock.
// Per mention the tool also measures handed-to-engine -> batch committed, and how far the
// generator fell behind its schedule (it blocks on a full pipe when the engine cannot keep
// up), which says whether the engine kept up with the rate.
//
// Scenario (built in code, since the shipped ones are scaled for ~600 mentions per minute):
// `--crises` brands, one every `--crisis-every` seconds from the start, each a safety crisis
// of `--crisis-share` of the stream's rate (90 % negative, crisis words, an influencer seed
// post, a third reposts), lasting to the end. `--scenario FILE` uses a scenario file instead.
//
//   alert_latency [--rate 50000] [--seconds 150] [--seed 1] [--runs 1] [--crises 4]
//                 [--crisis-every 35] [--crisis-share 0.05] [--scenario FILE]
//                 [--synthetic] [--tsv FILE]
//
// --synthetic uses the 1,000-brand / 10,000-rule directory of bench_e2e instead of the
// shipped 12 brands. Output: one summary per run, then the alerts' p50 / p99 / max over all
// runs (all alerts, and per-mention vs window detectors); --tsv writes one row per alert.

#include <fcntl.h>
#include <csignal>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>

#include "bench/e2e/harness.h"

namespace yuqing::bench::e2e {
namespace {

struct Flags {
  double rate = 50000;
  double seconds = 150;
  std::uint64_t seed = 1;
  int runs = 1;
  int crises = 4;
  double crisis_every = 35;
  double crisis_share = 0.05;
  std::string scenario;
  bool synthetic = false;
  std::string tsv;
};

// One write() of the generator: the lines in [begin, end) of the stream's bytes.
struct Chunk {
  std::uint64_t begin = 0, end = 0;
  std::int64_t first_clock = 0, last_clock = 0;  // event clocks of its first and last line
  std::uint32_t lines = 0;
  Clock::time_point due;      // when the schedule wanted its first line out
  Clock::time_point written;  // when write() returned
};

struct SinkWrite {
  Clock::time_point at;
  std::string id, detector, tier, state;
  std::int64_t updated_ms = 0, started_ms = 0;
};

class TimingSink final : public alert_sinks::AlertSink {
 public:
  TimingSink(std::unique_ptr<alert_sinks::AlertSink> inner, std::mutex& mu, std::vector<SinkWrite>& out)
      : inner_(std::move(inner)), mu_(mu), out_(out) {}
  std::string_view name() const override { return inner_->name(); }
  alert_sinks::DeliveryResult deliver(const alert::Alert& a) override {
    auto r = inner_->deliver(a);
    const auto now = Clock::now();
    if (r.kind == alert_sinks::DeliveryResult::Kind::ok) {
      std::lock_guard lock(mu_);
      out_.push_back({now, a.id, std::string(alert::detector_name(a.detector)), std::string(alert::tier_name(a.tier)),
                      a.state == alert::AlertState::firing ? "firing" : "resolved", a.updated_ms, a.started_ms});
    }
    return r;
  }

 private:
  std::unique_ptr<alert_sinks::AlertSink> inner_;
  std::mutex& mu_;
  std::vector<SinkWrite>& out_;
};

struct AlertLatency {
  std::uint64_t seed = 0;
  SinkWrite w;
  double latency_ms = 0;
  bool per_mention = false;
};

struct RunResult {
  std::vector<AlertLatency> alerts;
  double mention_p50_ms = 0, mention_p99_ms = 0, mention_max_ms = 0;
  double behind_max_ms = 0;     // generator: worst lag of a write behind its schedule
  double achieved_rate = 0;     // lines / (last write - first write)
  std::int64_t lines = 0;
  std::uint64_t read = 0;  // lines the engine read (== lines when it kept up to the end)
  double cpu_cores = 0;
};

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

RunResult run_once(const Flags& f, const std::filesystem::path& rules_dir, const std::vector<std::string>& brand_ids,
                   std::uint64_t seed) {
  RunResult out;
  const auto work = make_temp_dir("yuqing-alert-latency");
  // The stream covers `seconds` of event time (= wall time): rate x seconds base mentions plus
  // the crises' extra ones.
  gen::GenOptions g = gen_options(rules_dir, brand_ids, seed, -1, f.rate * 60);
  g.start_ms = wall_now_ms();
  if (!f.scenario.empty()) {
    auto sc = gen::load_scenario(f.scenario);
    if (!sc) die(sc.error());
    g.scenario = std::move(*sc);
  } else {
    g.scenario.name = "latency-crises";
    // Crisis brands: spread over the brand list, a different set per seed.
    std::vector<std::string> enabled;
    for (const auto& b : g.brands) {
      if (b.enabled) enabled.push_back(b.id);
    }
    for (int k = 0; k < f.crises && !enabled.empty(); ++k) {
      gen::ScenarioEvent e;
      e.type = gen::EventType::crisis;
      e.brand = enabled[(seed * 5 + static_cast<std::uint64_t>(k) * 7) % enabled.size()];
      e.start_minute = k * f.crisis_every / 60.0;
      e.duration_minutes = f.seconds / 60.0 + 1;
      e.per_minute = f.rate * 60 * f.crisis_share;
      e.negative_share = 0.9;
      e.category = gen::CrisisCategory::safety;
      e.repost_share = 0.35;
      e.influencer = true;
      g.scenario.events.push_back(e);
    }
  }
  if (auto ok = gen::validate_options(g); !ok) die(ok.error());
  const std::int64_t start_ms = g.start_ms;

  // Rules directory for this run: the given one's brands and lexicons, plus a file sink.
  const auto run_rules = work / "rules";
  std::filesystem::create_directory(run_rules);
  std::filesystem::create_directory_symlink(std::filesystem::canonical(rules_dir / "brands"), run_rules / "brands");
  std::filesystem::create_directory_symlink(std::filesystem::canonical(rules_dir / "lexicons"), run_rules / "lexicons");
  {
    std::ifstream in(rules_dir / "alerts.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::ofstream(run_rules / "alerts.yaml") << ss.str() << "\nsinks:\n  - name: file\n    type: file\n    path: "
                                             << (work / "alerts.jsonl").string() << "\n";
  }

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) die("pipe failed");
  auto src = source::open_jsonl("/dev/fd/" + std::to_string(fds[0]));
  if (!src) die(src.error());
  ::close(fds[0]);

  std::mutex sink_mu;
  std::vector<SinkWrite> writes;
  Engine::Options o;
  o.rules_dir = run_rules;
  o.state_dir = work / "state";
  o.exit_at_eof = false;  // live, as `yuqing run --input -`
  o.wrap_sink = [&](std::unique_ptr<alert_sinks::AlertSink> s) -> std::unique_ptr<alert_sinks::AlertSink> {
    return std::make_unique<TimingSink>(std::move(s), sink_mu, writes);
  };
  Engine engine(std::move(o), std::move(*src));

  std::vector<Chunk> chunks;
  chunks.reserve(static_cast<std::size_t>(f.seconds * 1200) + 1024);
  // (created_at, chunk index) of every line by an author with >= 1,000,000 followers: the
  // lines that can trigger an influencer alert (the shipped policy's lowest influencer tier).
  // Late lines' created_at lies behind the event clock.
  std::vector<std::pair<std::int64_t, std::size_t>> influencers;
  std::atomic<bool> gen_done{false};
  std::int64_t produced = 0;
  Clock::time_point gen_end;
  const int wfd = fds[1];
  std::thread producer([&] {
    gen::Generator gen(std::move(g));
    std::string buf;
    Chunk cur;
    std::uint64_t offset = 0;
    const auto wall0 = Clock::now();
    auto last_flush = wall0;
    auto flush = [&] {
      if (cur.lines == 0) return;
      if (!write_all(wfd, buf.data(), buf.size())) die("write to the engine failed");
      cur.written = last_flush = Clock::now();
      cur.end = offset;
      chunks.push_back(cur);
      buf.clear();
      cur = Chunk{};
      cur.begin = offset;
    };
    std::string line;
    const std::int64_t end_clock = start_ms + static_cast<std::int64_t>(f.seconds * 1000);
    for (;;) {
      line.clear();
      gen.next(line);
      if (gen.clock_ms() >= end_clock) break;
      ++produced;
      line += '\n';
      const auto due = wall0 + std::chrono::milliseconds(gen.clock_ms() - start_ms);
      const auto now = Clock::now();
      if (due > now) {
        flush();
        std::this_thread::sleep_until(due);
      } else if (cur.lines > 0 && (now - last_flush > std::chrono::milliseconds(1) || buf.size() > (64 << 10))) {
        flush();  // behind schedule: still hand over at least every millisecond
      }
      if (cur.lines == 0) {
        cur.first_clock = gen.clock_ms();
        cur.due = due;
      }
      cur.last_clock = gen.clock_ms();
      ++cur.lines;
      if (const auto fp = line.rfind("\"followers\":"); fp != std::string::npos &&
          std::strtoll(line.c_str() + fp + 12, nullptr, 10) >= 1'000'000) {
        // Its created_at becomes the generator's exact event time in epoch milliseconds (it
        // writes many timestamps to the second, which would leave the trigger of an
        // influencer alert ambiguous within a second; ~1 % of lines move by < 1 s).
        const auto cp = line.find("\"created_at\":");
        if (cp != std::string::npos) {
          const std::size_t v = cp + 13;
          const std::size_t end = line[v] == '"' ? line.find('"', v + 1) + 1 : line.find_first_of(",}", v);
          line.replace(v, end - v, std::to_string(gen.last_event_ms()));
        }
        influencers.emplace_back(gen.last_event_ms(), chunks.size());
      }
      buf += line;
      offset += line.size();
    }
    flush();
    gen_end = Clock::now();
    ::close(wfd);
    gen_done = true;
  });

  const double cpu0 = process_cpu_seconds();
  const auto t0 = Clock::now();
  std::thread stopper([&] {
    while (!gen_done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // Let the last batches commit and their alerts leave (live mode never sees an end).
    std::this_thread::sleep_for(std::chrono::seconds(3));
    engine.stop();
  });
  out.read = engine.run().read;
  producer.join();
  stopper.join();
  out.cpu_cores = (process_cpu_seconds() - cpu0) / seconds_since(t0);
  out.lines = produced;

  // Per mention: chunk written -> the batch holding its last byte committed.
  auto timings = engine.timed_source().timings();
  std::sort(timings.begin(), timings.end(), [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
  std::vector<std::pair<double, double>> lat;
  double worst = 0;
  for (const auto& c : chunks) {
    auto it = std::upper_bound(timings.begin(), timings.end(), c.end - 1,
                               [](std::uint64_t off, const BatchTiming& t) { return off < t.first_offset; });
    if (it == timings.begin()) continue;
    --it;
    if (c.end - 1 >= it->end_offset) continue;  // never committed
    const double ms = std::chrono::duration<double, std::milli>(it->committed_at - c.written).count();
    lat.emplace_back(ms, c.lines);
    worst = std::max(worst, ms);
    out.behind_max_ms = std::max(out.behind_max_ms, std::chrono::duration<double, std::milli>(c.written - c.due).count());
  }
  out.mention_p50_ms = weighted_quantile(lat, 0.5);
  out.mention_p99_ms = weighted_quantile(lat, 0.99);
  out.mention_max_ms = worst;
  if (chunks.size() > 1) {
    out.achieved_rate = static_cast<double>(produced) /
                        std::chrono::duration<double>(chunks.back().written - chunks.front().written).count();
  }

  // Per alert: sink write - the write of the last mention with event clock <= updated.
  std::stable_sort(influencers.begin(), influencers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& w : writes) {
    auto it = std::upper_bound(chunks.begin(), chunks.end(), w.updated_ms,
                               [](std::int64_t u, const Chunk& c) { return u < c.first_clock; });
    if (it == chunks.begin()) continue;  // before the stream (restored state): not ours
    Clock::time_point ref = std::prev(it)->written;
    AlertLatency a;
    a.per_mention = w.detector == "influencer_negative";
    if (a.per_mention) {
      // The trigger: the last influencer line with exactly this created_at handed over before
      // the alert was written.
      auto [lo, hi] = std::equal_range(influencers.begin(), influencers.end(), std::make_pair(w.updated_ms, std::size_t{0}),
                                       [](const auto& x, const auto& y) { return x.first < y.first; });
      bool found = false;
      Clock::time_point best;
      for (auto l = lo; l != hi; ++l) {
        const auto& c = chunks[l->second];
        if (c.written <= w.at && (!found || c.written < best)) {  // several: the earliest
          best = c.written;
          found = true;
        }
      }
      if (found) ref = best;
    }
    a.seed = seed;
    a.w = w;
    a.latency_ms = std::chrono::duration<double, std::milli>(w.at - ref).count();
    out.alerts.push_back(std::move(a));
  }
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
  return out;
}

void print_quantiles(const char* what, std::vector<double> v) {
  if (v.empty()) {
    std::printf("  %-28s n=0\n", what);
    return;
  }
  std::sort(v.begin(), v.end());
  auto q = [&](double p) { return v[std::min(v.size() - 1, static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())) - 1))]; };
  std::printf("  %-28s n=%zu  p50 %.0f ms  p99 %.0f ms  max %.0f ms  min %.0f ms\n", what, v.size(), q(0.5), q(0.99),
              v.back(), v.front());
}

int main_impl(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--rate") f.rate = std::stod(value());
    else if (a == "--seconds") f.seconds = std::stod(value());
    else if (a == "--seed") f.seed = std::stoull(value());
    else if (a == "--runs") f.runs = std::stoi(value());
    else if (a == "--crises") f.crises = std::stoi(value());
    else if (a == "--crisis-every") f.crisis_every = std::stod(value());
    else if (a == "--crisis-share") f.crisis_share = std::stod(value());
    else if (a == "--scenario") f.scenario = value();
    else if (a == "--synthetic") f.synthetic = true;
    else if (a == "--tsv") f.tsv = value();
    else {
      std::fprintf(stderr, "usage: alert_latency [--rate N] [--seconds S] [--seed N] [--runs K] [--crises K] "
                           "[--crisis-every S] [--crisis-share F] [--scenario FILE] [--synthetic] [--tsv FILE]\n");
      return 2;
    }
  }
  log::init("error");
  std::signal(SIGPIPE, SIG_IGN);

  std::filesystem::path rules_dir = source_dir() / "rules";
  std::vector<std::string> brand_ids;
  std::filesystem::path owned;
  if (f.synthetic) {
    auto s = synthetic_rules(1000, 10000, "");
    rules_dir = owned = s.dir;
    brand_ids = s.brand_ids;
  }
  std::printf("alert_latency: %.0f mentions/s for %.0f s per run, %d run(s) from seed %llu, rules %s\n", f.rate, f.seconds,
              f.runs, static_cast<unsigned long long>(f.seed), f.synthetic ? "1,000 brands / 10,000 rules" : "shipped (12 brands)");
  std::vector<AlertLatency> all;
  for (int r = 0; r < f.runs; ++r) {
    const std::uint64_t seed = f.seed + static_cast<std::uint64_t>(r);
    auto res = run_once(f, rules_dir, brand_ids, seed);
    std::vector<double> lat;
    for (const auto& a : res.alerts) lat.push_back(a.latency_ms);
    std::sort(lat.begin(), lat.end());
    std::printf(
        "run seed=%llu: %lld mentions (engine read %llu) at %.0f/s achieved (generator at most %.0f ms behind schedule); per mention "
        "in->committed p50 %.0f ms p99 %.0f ms max %.0f ms; %.2f cores; %zu alerts, latency p50 %.0f ms max %.0f ms\n",
        static_cast<unsigned long long>(seed), static_cast<long long>(res.lines),
        static_cast<unsigned long long>(res.read), res.achieved_rate, res.behind_max_ms,
        res.mention_p50_ms, res.mention_p99_ms, res.mention_max_ms, res.cpu_cores, res.alerts.size(),
        lat.empty() ? 0.0 : lat[lat.size() / 2], lat.empty() ? 0.0 : lat.back());
    std::fflush(stdout);
    all.insert(all.end(), res.alerts.begin(), res.alerts.end());
  }
  std::vector<double> every, per_mention, window;
  for (const auto& a : all) {
    every.push_back(a.latency_ms);
    (a.per_mention ? per_mention : window).push_back(a.latency_ms);
  }
  std::printf("alerts, sink write - last mention with event time <= updated handed to the engine:\n");
  print_quantiles("all", every);
  print_quantiles("per-mention (influencer)", per_mention);
  print_quantiles("window (minute ticks)", window);
  if (!f.tsv.empty()) {
    std::ofstream t(f.tsv);
    t << "seed\tid\tdetector\ttier\tstate\tupdated_ms\tlatency_ms\n";
    for (const auto& a : all) {
      t << a.seed << '\t' << a.w.id << '\t' << a.w.detector << '\t' << a.w.tier << '\t' << a.w.state << '\t'
        << a.w.updated_ms << '\t' << a.latency_ms << '\n';
    }
  }
  if (!owned.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(owned, ec);
  }
  return 0;
}

}  // namespace
}  // namespace yuqing::bench::e2e

int main(int argc, char** argv) { return yuqing::bench::e2e::main_impl(argc, argv); }
