// bench_e2e: the embedded engine end to end (issue 9), in-process (bench/e2e/harness.h: the
// wiring of engine/cli/run_command.cpp): a JSONL file of generated mentions -> reader thread ->
// bounded queue -> parse -> normalize -> Hyperscan match -> sentiment -> RocksDB windows ->
// alert evaluation -> one RocksDB commit per batch, state in a fresh temporary directory.
//
//   BM_E2E/synthetic_1000_brands_10000_rules   1,000 generated brands (half zh, half en) in a
//                     rules directory of 10,000 rules (the other 9,000: watched topics the
//                     stream never names); stream: yuqing gen, seed 9, 3,000,000 base mentions
//                     per minute of event time (the 50,000/s live target, so alert ticks come
//                     as often as they would live).
//   BM_E2E/shipped_12_brands                   the shipped rules/ (12 brands), yuqing gen
//                     defaults (seed 9, 600 per minute: the stream of the old README figure).
//
// One iteration = one run over the whole file (default 300,000 lines; YUQING_E2E_COUNT
// overrides). Manual time = wall time of the run (pipeline start to the last commit and the
// outbox drained). Counters:
//   items_per_second     mentions/s, wall
//   per_core             mentions per CPU second of the whole process during the run (all
//                        threads: worker, reader, RocksDB background, deliverers)
//   cores                CPU seconds / wall seconds during the run
//   p50_ms, p99_ms       per-mention latency: the source handing the mention's batch to the
//                        pipeline -> that batch committed to RocksDB. A replay from a file runs
//                        ahead of the worker up to the queue's byte budget (64 MiB), so these
//                        are mostly queueing; bench/e2e/alert_latency measures paced latency.
//   rss_peak_mb          VmHWM during the run (reset before it through /proc/self/clear_refs),
//                        rss_base_mb the RSS before it (the benchmark's own memory)
//   disk_mb              bytes RocksDB wrote to disk: WAL + flushes + compactions (statistics
//                        tickers); user_mb the WriteBatch bytes; state_mb the directory after
//   B_per_mention        disk bytes per mention
//   matched, alerts, dead_lettered   from the run summary; the run aborts unless read ==
//                        lines in the file and processed + dead_lettered == read
//   ref_ns, ratio        the reference, measured in the same process right after each run
//                        over the same bytes: simdjson DOM parse of each line alone; ratio =
//                        ref ns per mention / e2e wall ns per mention (higher is better);
//                        ratio_cpu the same against CPU ns per mention
//   memchr_ns, ratio_memchr   memchr for '\n' over the same bytes

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <malloc.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cstring>

#include "bench/common/paired.h"
#include "bench/e2e/harness.h"

namespace yuqing::bench::e2e {
namespace {

std::int64_t line_count() {
  const char* env = std::getenv("YUQING_E2E_COUNT");
  return env != nullptr && *env != '\0' ? std::atoll(env) : 300'000;
}

struct Case {
  std::filesystem::path rules_dir;
  std::filesystem::path input;
  std::int64_t lines = 0;
  std::uint64_t bytes = 0;
  std::size_t brands = 0;
  std::size_t rules = 0;
  std::filesystem::path owned_dir;  // removed with the case (rules and/or input)
  ~Case() {
    std::error_code ec;
    if (!owned_dir.empty()) std::filesystem::remove_all(owned_dir, ec);
  }
};

void write_lines(gen::GenOptions g, const std::filesystem::path& file, Case& c) {
  if (auto ok = gen::validate_options(g); !ok) die(ok.error());
  c.brands = 0;
  for (const auto& b : g.brands) c.brands += b.enabled ? 1 : 0;
  gen::Generator generator(std::move(g));
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (f == nullptr) die("cannot write " + file.string());
  std::string buf;
  while (!generator.done()) {
    generator.next(buf);
    buf += '\n';
    if (buf.size() >= (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      c.bytes += buf.size();
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  c.bytes += buf.size();
  std::fclose(f);
  c.lines = generator.produced();
}

std::unique_ptr<Case> g_synthetic, g_shipped;  // built on first use, released in main()

Case& synthetic_case() {
  if (!g_synthetic) {
    auto c = std::make_unique<Case>();
    auto rules = synthetic_rules(1000, 10000, "");
    c->rules_dir = rules.dir;
    c->owned_dir = rules.dir;
    c->rules = rules.rule_count;
    c->input = c->rules_dir / "input.jsonl";
    write_lines(gen_options(c->rules_dir, rules.brand_ids, 9, line_count(), 3'000'000), c->input, *c);
    g_synthetic = std::move(c);
  }
  return *g_synthetic;
}

Case& shipped_case() {
  if (!g_shipped) {
    auto c = std::make_unique<Case>();
    c->rules_dir = source_dir() / "rules";
    c->rules = 12;
    c->owned_dir = make_temp_dir("yuqing-e2e-input");
    c->input = c->owned_dir / "input.jsonl";
    write_lines(gen_options(c->rules_dir, {}, 9, line_count(), 600), c->input, *c);
    g_shipped = std::move(c);
  }
  return *g_shipped;
}

// The references over the file's bytes: simdjson DOM parse of each line, and memchr for '\n'.
struct Reference {
  double parse_ns = 0;   // per line
  double memchr_ns = 0;  // per line
};

Reference measure_reference(const Case& c) {
  Reference r;
  const int fd = ::open(c.input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open " + c.input.string());
  const auto size = static_cast<std::size_t>(c.bytes);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) die("cannot map " + c.input.string());
  const char* data = static_cast<const char*>(map);
  // Warm the pages (the engine read them through the page cache too).
  std::uint64_t sink = 0;
  for (std::size_t i = 0; i < size; i += 4096) sink += static_cast<unsigned char>(data[i]);
  benchmark::DoNotOptimize(sink);

  auto t0 = Clock::now();
  std::size_t lines = 0;
  for (const char* p = data; p < data + size;) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(data + size - p));
    ++lines;
    if (nl == nullptr) break;
    p = static_cast<const char*>(nl) + 1;
  }
  r.memchr_ns = seconds_since(t0) * 1e9 / static_cast<double>(std::max<std::size_t>(lines, 1));

  simdjson::dom::parser parser;
  t0 = Clock::now();
  std::size_t ok = 0;
  for (const char* p = data; p < data + size;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(data + size - p)));
    const std::size_t len = nl ? static_cast<std::size_t>(nl - p) : static_cast<std::size_t>(data + size - p);
    simdjson::dom::element doc;
    if (parser.parse(p, len, true).get(doc) == simdjson::SUCCESS) ++ok;
    if (nl == nullptr) break;
    p = nl + 1;
  }
  r.parse_ns = seconds_since(t0) * 1e9 / static_cast<double>(std::max<std::size_t>(lines, 1));
  benchmark::DoNotOptimize(ok);
  ::munmap(map, size);
  return r;
}

void run_case(benchmark::State& state, Case& c) {
  std::vector<double> p50s, p99s, rss, base, cpu, disk, user, st, per_core, ratio, ratio_cpu, ratio_memchr, refs,
      memchrs, cores;
  pipeline::RunSummary summary;
  for (auto _ : state) {
    const auto state_dir = make_temp_dir("yuqing-e2e-state");
    auto src = source::open_jsonl(c.input.string());
    if (!src) die(src.error());
    ::malloc_trim(0);  // what earlier cases freed goes back to the OS before the base is taken
    reset_peak_rss();
    base.push_back(static_cast<double>(proc_status_kb("VmRSS")) / 1024);
    const double cpu0 = process_cpu_seconds();
    const auto t0 = Clock::now();
    RocksBytes bytes;
    std::vector<BatchTiming> timings;
    {
      Engine::Options o;
      o.rules_dir = c.rules_dir;
      o.state_dir = state_dir;
      Engine engine(std::move(o), std::move(*src));
      summary = engine.run();
      bytes = engine.rocks_bytes();
      timings = engine.timed_source().timings();
    }  // closed: the last flush and the WAL are on disk
    const double wall = seconds_since(t0);
    const double cpu_s = process_cpu_seconds() - cpu0;
    state.SetIterationTime(wall);
    rss.push_back(static_cast<double>(proc_status_kb("VmHWM")) / 1024);
    if (summary.read != static_cast<std::uint64_t>(c.lines) || summary.processed + summary.dead_lettered != summary.read) {
      die("counts do not add up: " + summary.line() + " for " + std::to_string(c.lines) + " lines");
    }
    if (summary.matched == 0 || summary.processed == 0) die("nothing was matched: " + summary.line());
    std::vector<std::pair<double, double>> lat;
    for (const auto& t : timings) {
      lat.emplace_back(std::chrono::duration<double, std::milli>(t.committed_at - t.read_at).count(),
                       static_cast<double>(t.records));
    }
    p50s.push_back(weighted_quantile(lat, 0.5));
    p99s.push_back(weighted_quantile(lat, 0.99));
    disk.push_back(static_cast<double>(bytes.disk()));
    user.push_back(static_cast<double>(bytes.user));
    st.push_back(static_cast<double>(dir_bytes(state_dir)));
    std::error_code ec;
    std::filesystem::remove_all(state_dir, ec);
    const double n = static_cast<double>(c.lines);
    per_core.push_back(n / cpu_s);
    cores.push_back(cpu_s / wall);
    const auto ref = measure_reference(c);
    refs.push_back(ref.parse_ns);
    memchrs.push_back(ref.memchr_ns);
    ratio.push_back(ref.parse_ns / (wall * 1e9 / n));
    ratio_cpu.push_back(ref.parse_ns / (cpu_s * 1e9 / n));
    ratio_memchr.push_back(ref.memchr_ns / (wall * 1e9 / n));
  }
  const double n = static_cast<double>(c.lines);
  auto mid = [](std::vector<double> v) { return median(v); };
  state.SetItemsProcessed(state.iterations() * c.lines);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.bytes));
  state.counters["brands"] = static_cast<double>(c.brands);
  state.counters["rules"] = static_cast<double>(c.rules);
  state.counters["mentions"] = n;
  state.counters["matched"] = static_cast<double>(summary.matched);
  state.counters["alerts"] = static_cast<double>(summary.alerts);
  state.counters["dead_lettered"] = static_cast<double>(summary.dead_lettered);
  state.counters["per_core"] = mid(per_core);
  state.counters["cores"] = mid(cores);
  state.counters["p50_ms"] = mid(p50s);
  state.counters["p99_ms"] = mid(p99s);
  state.counters["rss_peak_mb"] = mid(rss);
  state.counters["rss_base_mb"] = mid(base);
  state.counters["disk_mb"] = mid(disk) / 1e6;
  state.counters["user_mb"] = mid(user) / 1e6;
  state.counters["state_mb"] = mid(st) / 1e6;
  state.counters["B_per_mention"] = mid(disk) / n;
  state.counters["ref_ns"] = mid(refs);
  state.counters["memchr_ns"] = mid(memchrs);
  state.counters["ratio"] = mid(ratio);
  state.counters["ratio_cpu"] = mid(ratio_cpu);
  state.counters["ratio_memchr"] = mid(ratio_memchr);
}

void BM_E2E_Synthetic(benchmark::State& state) { run_case(state, synthetic_case()); }
void BM_E2E_Shipped(benchmark::State& state) { run_case(state, shipped_case()); }

BENCHMARK(BM_E2E_Synthetic)->Name("BM_E2E/synthetic_1000_brands_10000_rules")->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_E2E_Shipped)->Name("BM_E2E/shipped_12_brands")->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace yuqing::bench::e2e

int main(int argc, char** argv) {
  yuqing::log::init("error");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  yuqing::bench::e2e::g_synthetic.reset();
  yuqing::bench::e2e::g_shipped.reset();
  return 0;
}
