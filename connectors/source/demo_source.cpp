#include "connectors/source/demo_source.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/gen/gen.h"

namespace yuqing::source {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class DemoSource final : public Source {
 public:
  DemoSource(gen::GenOptions gen_options, DemoOptions options)
      : gen_options_(std::move(gen_options)), options_(std::move(options)) {}

  std::string key() const override {
    return "demo:seed=" + std::to_string(options_.seed) + ":scenario=" + options_.scenario;
  }
  bool resumable() const override { return true; }

  Status<std::string> seek(std::uint64_t offset) override {
    skip_ = static_cast<std::int64_t>(offset);
    return {};
  }

  void stop() override { stopping_ = true; }

  Status<std::string> read(RecordBatch& batch, const ReadLimits& limits) override {
    if (!generator_) start();
    const auto deadline = Clock::now() + std::chrono::milliseconds(limits.max_delay_ms);
    while (batch.records.size() < limits.max_records && batch.bytes.size() < limits.max_bytes && !stopping_) {
      if (pending_.empty()) {
        if (generator_->done()) {
          batch.end_of_input = true;
          break;
        }
        pending_offset_ = static_cast<std::uint64_t>(generator_->produced());
        generator_->next(pending_);
        // Event time follows the wall clock: a line is released when its clock is due.
        pending_due_ = t0_ + std::chrono::milliseconds(generator_->clock_ms() - clock0_);
      }
      if (pending_due_ > Clock::now()) {
        if (pending_due_ > deadline && !batch.records.empty()) break;
        std::this_thread::sleep_until(std::min(pending_due_, deadline));
        if (pending_due_ > Clock::now()) continue;
      }
      Record r;
      r.offset = pending_offset_;
      r.begin = static_cast<std::uint32_t>(batch.bytes.size());
      r.size = static_cast<std::uint32_t>(pending_.size());
      r.full_size = r.size;
      batch.bytes.append(pending_);
      batch.records.push_back(r);
      pending_.clear();
    }
    batch.end_offset = pending_.empty() ? static_cast<std::uint64_t>(generator_->produced()) : pending_offset_;
    return {};
  }

 private:
  // Event time follows the wall clock: a resumed stream starts as far back as the skipped
  // lines took, so the next line's event time is about "now".
  void start() {
    const double ms_per_line = 60000.0 / gen_options_.per_minute;
    gen_options_.start_ms = wall_ms() - static_cast<std::int64_t>(static_cast<double>(skip_) * ms_per_line);
    generator_ = std::make_unique<gen::Generator>(gen_options_);
    std::string scratch;
    for (std::int64_t i = 0; i < skip_; ++i) {
      scratch.clear();
      generator_->next(scratch);
    }
    t0_ = Clock::now();
    clock0_ = wall_ms();
  }

  gen::GenOptions gen_options_;
  DemoOptions options_;
  std::unique_ptr<gen::Generator> generator_;
  std::int64_t skip_ = 0;  // lines already committed before this run
  Clock::time_point t0_;
  std::int64_t clock0_ = 0;  // event-time clock that corresponds to t0_
  std::string pending_;      // the next line, generated but not yet due
  std::uint64_t pending_offset_ = 0;
  Clock::time_point pending_due_;
  std::atomic<bool> stopping_{false};
};

}  // namespace

Result<std::unique_ptr<Source>, std::string> open_demo(const DemoOptions& options) {
  auto brands = gen::load_brands(options.rules_dir);
  if (!brands) return Unexpected{brands.error()};
  gen::GenOptions g;
  g.seed = options.seed;
  g.count = options.count > 0 ? options.count : -1;
  g.per_minute = options.rate * 60;
  g.brands = std::move(*brands);
  if (!options.scenario.empty()) {
    auto scenario = gen::load_scenario(options.scenario);
    if (!scenario) return Unexpected{scenario.error()};
    g.scenario = std::move(*scenario);
  }
  if (auto st = gen::validate_options(g); !st) return Unexpected{st.error()};
  return std::unique_ptr<Source>(new DemoSource(std::move(g), options));
}

}  // namespace yuqing::source
