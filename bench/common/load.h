#pragma once
// Seeded loads for the micro-benchmarks, from the project's generator (engine/gen) and the
// shipped rules: the same bytes on every run and every machine (see engine/gen/README.md).
// Setup only: allocates freely, aborts with a message when the rules cannot be read.
//
// The rules directory is $YUQING_SOURCE_DIR/rules, else the source tree the benchmark was
// built from (YUQING_SOURCE_DIR_DEFAULT, set by bench/CMakeLists.txt).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/gen/gen.h"

namespace yuqing::bench {

inline std::filesystem::path source_dir() {
  const char* env = std::getenv("YUQING_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : YUQING_SOURCE_DIR_DEFAULT;
}

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "benchmark setup failed: %s\n", what.c_str());
  std::exit(1);
}

struct LoadOptions {
  std::uint64_t seed = 9;
  std::size_t count = 20000;
  double per_minute = 600;
  std::string scenario;  // file under rules/scenarios/, empty = none
  double bad_share = 0;
};

inline std::vector<gen::BrandInfo> shipped_brands() {
  auto brands = gen::load_brands(source_dir() / "rules");
  if (!brands) die(brands.error());
  return std::move(*brands);
}

// Generated JSON lines (no newline).
inline std::vector<std::string> generate_lines(const LoadOptions& o) {
  gen::GenOptions g;
  g.seed = o.seed;
  g.count = static_cast<std::int64_t>(o.count);
  g.per_minute = o.per_minute;
  g.brands = shipped_brands();
  g.bad_share = o.bad_share;
  if (!o.scenario.empty()) {
    auto s = gen::load_scenario(source_dir() / "rules" / "scenarios" / o.scenario);
    if (!s) die(s.error());
    g.scenario = std::move(*s);
  }
  if (auto ok = gen::validate_options(g); !ok) die(ok.error());
  gen::Generator generator(std::move(g));
  std::vector<std::string> lines;
  lines.reserve(o.count);
  while (!generator.done()) {
    std::string line;
    generator.next(line);
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace yuqing::bench
