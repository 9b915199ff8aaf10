// bench_window: the window store's write cost per matched mention (batched aggregation vs a
// naive Merge per mention, same run, same data, both committed once per batch), query
// latency, and bytes on disk for N brands x D days of minute buckets (generated, compacted).
//
//   bench_window [--brands 1000] [--mentions 2000000] [--batch 4096] [--days 30] [--dir /tmp/x]
//                [--skip-disk]
#include <rocksdb/db.h>

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/window/bucket.h"
#include "engine/window/standalone.h"
#include "engine/window/window.h"

using namespace yuqing;
using namespace yuqing::window;

namespace {

const std::int64_t T0 = 1714953600000;  // 2024-05-06T00:00:00Z

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<BrandInfo> make_brands(int n) {
  std::vector<BrandInfo> v;
  for (int i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "brand-%04d", i);
    v.push_back({id, "", {}});
  }
  return v;
}

// Zipf-ish brand popularity (s = 1): a few brands get most mentions, like real monitoring.
struct Zipf {
  std::vector<double> cdf;
  explicit Zipf(int n) {
    double sum = 0;
    for (int i = 0; i < n; ++i) cdf.push_back(sum += 1.0 / (i + 1));
    for (auto& c : cdf) c /= sum;
  }
  std::uint32_t operator()(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<std::uint32_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  }
};

std::vector<WindowUpdate> make_updates(std::size_t n, int brands, double per_second) {
  std::mt19937_64 rng(42);
  Zipf zipf(brands);
  std::vector<WindowUpdate> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    WindowUpdate& u = v[i];
    u.brand = zipf(rng);
    u.event_ms = T0 + static_cast<std::int64_t>(static_cast<double>(i) * 1000.0 / per_second) -
                 static_cast<std::int64_t>(rng() % 5000);  // a little disorder
    u.platform = static_cast<Platform>(rng() % kPlatformCount);
    u.label = static_cast<std::int8_t>(static_cast<int>(rng() % 3) - 1);
    u.score = static_cast<float>(u.label) * 0.6f;
    u.reach = rng() % 10000;
    u.author_hash = rng() % 200000 + 1;
    u.story = rng() % 4 == 0 ? v[i > 0 ? rng() % i : 0].story : rng();  // some near-dup texts
    u.is_repost = rng() % 5 == 0;
    u.aspect_mask = static_cast<std::uint32_t>(rng() % 8 == 0 ? 1u << (rng() % 5) : 0);
    u.negative_aspect_mask = u.label < 0 ? u.aspect_mask : 0;
  }
  return v;
}

std::uint64_t dir_bytes(const std::string& dir) {
  std::uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

std::uint64_t sst_bytes(const std::string& dir) {
  std::uint64_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".sst") n += e.file_size();
  }
  return n;
}

struct Args {
  int brands = 1000;
  std::size_t mentions = 2'000'000;
  std::size_t batch = 4096;
  int days = 30;
  double rate = 20000;  // event-time mentions per second in the throughput load
  std::string dir = "/tmp/bench_window";
  bool skip_disk = false;
  bool only_batched = false;  // profiling
};

// Writes all updates in batches; naive = one Merge per mention into minute, hour and day keys.
double run_write(const Args& a, const std::vector<WindowUpdate>& ups, bool naive, std::uint64_t* merges_out) {
  const std::string dir = a.dir + (naive ? "/naive" : "/batched");
  std::filesystem::remove_all(dir);
  auto db = StandaloneDb::open(dir);
  if (!db.ok()) { std::fprintf(stderr, "%s\n", db.error().c_str()); std::exit(1); }
  auto st = WindowStore::open((*db)->db(), (*db)->buckets(), (*db)->top());
  auto& store = **st;
  store.set_brands(make_brands(a.brands));
  const auto brands = make_brands(a.brands);
  auto& agg = store.aggregator();
  std::uint64_t merges = 0;
  std::string key, value;
  double commit_s = 0;
  const double cpu0 = thread_cpu_s();
  const auto t = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < ups.size(); i += a.batch) {
    const std::size_t end = std::min(ups.size(), i + a.batch);
    rocksdb::WriteBatch wb;
    if (!naive) {
      for (std::size_t j = i; j < end; ++j) agg.add(ups[j]);
      agg.flush(wb);
    } else {
      for (std::size_t j = i; j < end; ++j) {
        const WindowUpdate& u = ups[j];
        Bucket b;  // the same counters, one mention at a time
        b.mentions = 1;
        (u.label < 0 ? b.negative : u.label > 0 ? b.positive : b.neutral) = 1;
        b.sentiment_e4 = std::lround(u.score * 10000.0f);
        b.reach = u.reach;
        b.platform[static_cast<std::size_t>(u.platform)] = 1;
        if (u.is_repost) b.reposts = 1; else b.stories = 1;
        for (std::uint32_t m = u.aspect_mask; m; m &= m - 1) b.aspect[static_cast<std::size_t>(__builtin_ctz(m))] = 1;
        for (std::uint32_t m = u.negative_aspect_mask; m; m &= m - 1) b.negative_aspect[static_cast<std::size_t>(__builtin_ctz(m))] = 1;
        if (u.author_hash) b.authors.add_hash(mix64(u.author_hash));
        value.clear();
        b.encode(value);
        const auto minute = static_cast<std::uint32_t>(u.event_ms / kMinuteMs);
        for (auto [g, p] : {std::pair{Gran::minute, minute}, std::pair{Gran::hour, minute / 60}, std::pair{Gran::day, minute / 1440}}) {
          bucket_key(key, brands[u.brand].id, g, p);
          wb.Merge((*db)->buckets(), key, value);
          ++merges;
        }
      }
    }
    const auto tc = std::chrono::steady_clock::now();
    if (!(*db)->commit(wb).ok()) std::exit(1);
    commit_s += seconds_since(tc);
  }
  const double s = seconds_since(t);
  const double cpu = thread_cpu_s() - cpu0;
  std::printf("  %-8s wall %.2f s (commit %.2f s, %.2f us per Merge), writer thread CPU %.2f s = %.0f ns/mention\n",
              naive ? "naive" : "batched", s, commit_s,
              commit_s * 1e6 / static_cast<double>(naive ? merges : agg.counters().merges.load()), cpu,
              cpu * 1e9 / static_cast<double>(ups.size()));
  *merges_out = naive ? merges : agg.counters().merges.load();
  // Same answer either way (spot check one popular brand over the whole range).
  const Point p = store.total(brands[0].id, T0 - kDayMs, T0 + 30 * kDayMs);
  std::printf("  %-8s total for %s: %llu mentions\n", naive ? "naive" : "batched", brands[0].id.c_str(),
              static_cast<unsigned long long>(p.mentions));
  return s;
}

void bench_queries(const Args& a, const std::string& sub) {
  const std::string dir = a.dir + sub;
  auto db = StandaloneDb::open(dir);
  auto st = WindowStore::open((*db)->db(), (*db)->buckets(), (*db)->top());
  auto& store = **st;
  store.set_brands(make_brands(a.brands));
  const std::int64_t end = store.watermark_ms();
  struct Q { const char* name; std::int64_t len, step; };
  for (const Q q : {Q{"1h / 1m steps", kHourMs, kMinuteMs}, Q{"24h / 1h steps", kDayMs, kHourMs},
                    Q{"30d / 1d steps (unaligned)", 30 * kDayMs, kDayMs}, Q{"30d total (unaligned)", 30 * kDayMs, 30 * kDayMs}}) {
    const int reps = 200;
    int keys = 0;
    const auto t = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) {
      keys = 0;
      for (const auto& p : store.query("brand-0000", end - q.len - 7 * kMinuteMs, end - 7 * kMinuteMs, q.step)) keys += p.keys_read;
    }
    std::printf("  query %-28s %8.1f us  (%d keys read)\n", q.name, seconds_since(t) / reps * 1e6, keys);
  }
  const auto t = std::chrono::steady_clock::now();
  Baseline b;
  for (int r = 0; r < 200; ++r) b = store.baseline("brand-0000", Metric::mentions, end, kHourMs);
  std::printf("  baseline (1h window)                 %8.1f us  (%s, %d samples)\n", seconds_since(t) / 200 * 1e6,
              std::string(baseline_kind_name(b.kind)).c_str(), b.samples);
}

// Every brand gets a bucket every minute for `days` days (the worst case for key count), 1-3
// mentions each from a pool of authors; one flush per simulated minute; then full compaction.
void bench_disk(const Args& a) {
  const std::string dir = a.dir + "/disk";
  std::filesystem::remove_all(dir);
  auto db = StandaloneDb::open(dir);
  auto st = WindowStore::open((*db)->db(), (*db)->buckets(), (*db)->top());
  auto& store = **st;
  store.set_brands(make_brands(a.brands));
  auto& agg = store.aggregator();
  std::mt19937_64 rng(9);
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // a generated load: the state is what we measure, not the log
  std::uint64_t mentions = 0;
  const auto t = std::chrono::steady_clock::now();
  const std::int64_t minutes = std::int64_t{a.days} * 1440;
  for (std::int64_t m = 0; m < minutes; ++m) {
    for (int b = 0; b < a.brands; ++b) {
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < n; ++k) {
        WindowUpdate u;
        u.brand = static_cast<std::uint32_t>(b);
        u.event_ms = T0 + m * kMinuteMs + static_cast<std::int64_t>(rng() % 60000);
        u.platform = static_cast<Platform>(rng() % 4);
        u.label = static_cast<std::int8_t>(static_cast<int>(rng() % 3) - 1);
        u.score = static_cast<float>(u.label) * 0.5f;
        u.reach = rng() % 5000;
        u.author_hash = rng() % 100000 + 1;
        u.story = rng();
        agg.add(u);
        ++mentions;
      }
    }
    rocksdb::WriteBatch wb;
    agg.flush(wb);
    if (!(*db)->db()->Write(wo, &wb).ok()) std::exit(1);
    if (m % 1440 == 1439) {
      std::fprintf(stderr, "  day %lld/%d written (%.0f s)\n", static_cast<long long>(m / 1440 + 1), a.days, seconds_since(t));
    }
  }
  const double write_s = seconds_since(t);
  (*db)->db()->Flush(rocksdb::FlushOptions(), (*db)->buckets());
  const std::uint64_t before = sst_bytes(dir);
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  (*db)->db()->CompactRange(co, (*db)->buckets(), nullptr, nullptr);
  const double total_s = seconds_since(t);
  const std::uint64_t after = sst_bytes(dir), all = dir_bytes(dir);
  const double keys = static_cast<double>(minutes) * a.brands;
  std::printf("  load: %d brands x %d days, a bucket every minute for every brand: %.1f M minute buckets, %.1f M mentions\n",
              a.brands, a.days, keys / 1e6, static_cast<double>(mentions) / 1e6);
  std::printf("  write %.0f s, write + compaction %.0f s\n", write_s, total_s);
  std::printf("  SST bytes before compaction %.1f MB, after %.1f MB (%.1f bytes per minute bucket incl. roll-ups); directory %.1f MB\n",
              static_cast<double>(before) / 1e6, static_cast<double>(after) / 1e6, static_cast<double>(after) / keys,
              static_cast<double>(all) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (s == "--brands") a.brands = std::stoi(next());
    else if (s == "--mentions") a.mentions = std::stoull(next());
    else if (s == "--batch") a.batch = std::stoull(next());
    else if (s == "--days") a.days = std::stoi(next());
    else if (s == "--rate") a.rate = std::stod(next());
    else if (s == "--dir") a.dir = next();
    else if (s == "--skip-disk") a.skip_disk = true;
    else if (s == "--only-batched") a.only_batched = a.skip_disk = true;
    else { std::fprintf(stderr, "unknown argument %s\n", s.c_str()); return 2; }
  }
  std::filesystem::create_directories(a.dir);
  std::printf("bench_window: %d brands (Zipf), %zu matched mentions, batches of %zu, %.0f mentions/s of event time\n",
              a.brands, a.mentions, a.batch, a.rate);
  const auto ups = make_updates(a.mentions, a.brands, a.rate);
  std::uint64_t mb = 0, mn = 0;
  const double batched = run_write(a, ups, false, &mb);
  const double naive = a.only_batched ? batched : run_write(a, ups, true, &mn);
  const double n = static_cast<double>(a.mentions);
  std::printf("  batched aggregation + flush + commit: %7.1f ns/mention  %6.2f M mentions/s  (%.2f Merge per mention)\n",
              batched / n * 1e9, n / batched / 1e6, static_cast<double>(mb) / n);
  std::printf("  naive Merge per mention + commit:    %7.1f ns/mention  %6.2f M mentions/s  (%.2f Merge per mention)\n",
              naive / n * 1e9, n / naive / 1e6, static_cast<double>(mn) / n);
  std::printf("  batched is %.1fx faster\n", naive / batched);
  if (!a.skip_disk) bench_disk(a);
  // Queries on the 30-day load when it ran (every brand has every minute), else on the
  // throughput load (which spans only mentions / rate seconds of event time).
  std::printf("  queries on the %s load, brand-0000, ranges ending 7 minutes before the watermark:\n",
              a.skip_disk ? "throughput" : "disk");
  bench_queries(a, a.skip_disk ? "/batched" : "/disk");
  std::filesystem::remove_all(a.dir);
  return 0;
}
