#pragma once
// Paired measurement for the micro-benchmarks: a subject (the stage under test) and its
// reference (a fixed piece of work over the same inputs, e.g. simdjson's own parse, memcpy)
// run ALTERNATELY in short slices (~50 µs) on the same thread over the same items. Each pair
// of slices gives one ratio; the benchmark reports their MEDIAN. Both sides of a pair see the
// same CPU frequency, caches and neighbours, and a slice that was preempted or hit by a burst
// of load is an outlier the median ignores; this is what keeps the ratio comparable across
// machines and stable under load (ctest -j2, other builds). The gate (bench/gate) compares
// these ratios, never absolute times.
//
// Slices are timed with the monotonic clock (~30 ns a call here; the thread CPU clock costs
// ~1.6 µs a call on this VM, too much for 50 µs slices).
//
// Use with ->UseManualTime(): the time Google Benchmark reports is the subject's slices only,
// so items_per_second is the subject's throughput (wall time of its slices). Counters added:
//   ratio    median over pairs of (reference time / subject time) per item = the subject's
//            speed as a fraction of the reference's (higher is better; the gate fails when it
//            drops)
//   ns       subject ns per item (median slice: unlike items_per_second, not inflated by
//            slices that were preempted on a loaded machine)
//   ref_ns   reference ns per item (median slice)
// The reference slice is repeated `ref_repeat` times (found once from a calibration pass) so
// that both slices take about as long.
//
// Threading: benchmark threads only; nothing shared.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace yuqing::bench {

inline double now_ns() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count());
}

inline double median(std::vector<double>& v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// subject(i) and reference(i) each process item i (0 <= i < items, then 0 again). One
// benchmark iteration = one slice of `slice` items of each side. `units_per_item` scales what
// items_per_second and ref_ns count (e.g. brands per alert tick).
template <class Subject, class Reference>
void run_paired(benchmark::State& state, std::size_t items, std::size_t slice, Subject&& subject,
                Reference&& reference, double units_per_item = 1) {
  slice = std::max<std::size_t>(1, std::min(slice, items));
  std::size_t next_subject = 0;
  std::size_t next_reference = 0;
  auto run_subject = [&] {
    for (std::size_t k = 0; k < slice; ++k) {
      subject(next_subject);
      if (++next_subject == items) next_subject = 0;
    }
  };
  auto run_reference = [&](std::size_t repeat) {
    const std::size_t start = next_reference;
    for (std::size_t r = 0; r < repeat; ++r) {
      next_reference = start;
      for (std::size_t k = 0; k < slice; ++k) {
        reference(next_reference);
        if (++next_reference == items) next_reference = 0;
      }
    }
  };

  // Calibration (not reported): warm both sides up, then size the reference repeat from the
  // median of a few slices.
  run_subject();
  run_reference(1);
  std::vector<double> cal_s, cal_r;
  for (int k = 0; k < 5; ++k) {
    double t0 = now_ns();
    run_subject();
    cal_s.push_back(now_ns() - t0);
    t0 = now_ns();
    run_reference(1);
    cal_r.push_back(std::max(1.0, now_ns() - t0));
  }
  const auto ref_repeat =
      static_cast<std::size_t>(std::clamp(std::round(median(cal_s) / median(cal_r)), 1.0, 1000.0));

  std::vector<double> ratios, ref_slices, subject_slices;
  bool reference_first = false;
  for (auto _ : state) {
    // Alternate the order so that neither side always runs right after the other.
    const double a = now_ns();
    if (reference_first) run_reference(ref_repeat);
    else run_subject();
    const double b = now_ns();
    if (reference_first) run_subject();
    else run_reference(ref_repeat);
    const double c = now_ns();
    const double s = std::max(1.0, reference_first ? c - b : b - a);
    const double r = (reference_first ? b - a : c - b) / static_cast<double>(ref_repeat);
    ratios.push_back(r / s);
    ref_slices.push_back(r);
    subject_slices.push_back(s);
    state.SetIterationTime(s * 1e-9);
    reference_first = !reference_first;
  }
  const double per_slice = static_cast<double>(slice) * units_per_item;
  state.SetItemsProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations()) * per_slice));
  state.counters["ns"] = median(subject_slices) / per_slice;
  state.counters["ref_ns"] = median(ref_slices) / per_slice;
  state.counters["ratio"] = median(ratios);
}

}  // namespace yuqing::bench
