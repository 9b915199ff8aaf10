#pragma once
// The built-in demo stream: the seeded generator (engine/gen) playing a scenario at a fixed
// wall-clock rate, with event time following the wall clock. It is what `yuqing run` reads
// when no input is given.

#include <cstdint>
#include <memory>
#include <string>

#include "connectors/source/source.h"
#include "engine/base/result.h"

namespace yuqing::source {

struct DemoOptions {
  std::uint64_t seed = 42;
  double rate = 10;                // base mentions per second (scenario events add to it)
  std::string rules_dir = "rules"; // brands come from <rules_dir>/brands
  std::string scenario;            // scenario YAML; empty = calm stream
  std::int64_t count = 0;          // 0 = unbounded
};

// Position = number of mentions produced; resuming regenerates and skips them, and event time
// continues from "now".
Result<std::unique_ptr<Source>, std::string> open_demo(const DemoOptions& options);

}  // namespace yuqing::source
