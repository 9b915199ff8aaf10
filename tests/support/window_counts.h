#pragma once
// Reads a finished state directory's per-brand, per-minute window counts through the engine's
// own API: starts `yuqing run` on the state (reading an empty input, so nothing changes), asks
// /api/v1/brands/{id}/trend for every brand, stops it. Tests compare these maps between runs
// (crash loop vs clean run, two Kafka engines vs one embedded engine).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace yuqing::testing {

// "brand field" -> per-minute values of mentions, positive, neutral, negative and reach over
// [until - window, until). Empty on failure (a gtest failure is recorded).
using WindowCounts = std::map<std::string, std::vector<std::uint64_t>>;
WindowCounts window_counts(const std::string& state_dir, const std::string& scratch_dir,
                           const std::string& until = "2026-11-01T06:00:00Z", const std::string& window = "6h");

// Element-wise sum of per-engine counts (engines that split one stream between them).
WindowCounts add_counts(const WindowCounts& a, const WindowCounts& b);

// Total of the "mentions" series, to check a comparison covered real data.
std::uint64_t total_mentions(const WindowCounts& counts);

}  // namespace yuqing::testing
