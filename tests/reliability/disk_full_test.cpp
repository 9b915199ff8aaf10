// Disk full: the state directory lives on a small tmpfs that fills while the engine works
// through a stream. The engine must stop taking input and say why (log, and the
// yuqing_state_waiting_for_space gauge), lose nothing it already committed, and go on by itself
// when space returns (the tmpfs is grown), ending with the same window counts as a run that
// never ran short. Needs root to mount a tmpfs; skipped otherwise.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include "tests/support/support.h"
#include "tests/support/window_counts.h"

namespace yuqing {
namespace {

using testing::BackgroundProcess;
using testing::run_process;

// A tmpfs mounted for the test's life.
class Tmpfs {
 public:
  Tmpfs(std::string path, const std::string& size) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    const std::string opts = "size=" + size;
    if (mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool resize(const std::string& size) {
    const std::string opts = "size=" + size;
    return mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0;
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

TEST(DiskFull, EngineWaitsForSpaceAndGoesOnWithoutLosingAnything) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  testing::TempDir dir;
  // The engine keeps 64 MiB free (state.min_free_bytes): on a 72 MiB file system it runs out
  // after about 8 MiB of state.
  Tmpfs fs(dir.file("fs"), "72m");
  if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << fs.error();

  const auto bin = testing::yuqing_binary();
  const auto rules = (testing::source_dir() / "rules").string();
  constexpr std::size_t kLines = 300'000;
  auto gen = run_process({bin, "gen", "--rules", rules, "--seed", "6", "--count", std::to_string(kLines), "--out",
                          dir.file("in.jsonl")});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const auto port = testing::free_port();
  BackgroundProcess engine({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                            dir.file("fs") + "/state", "--http", "127.0.0.1:" + std::to_string(port)},
                           dir.file("out.txt"), dir.file("err.txt"));
  ASSERT_TRUE(testing::eventually([&] { return testing::metric_sum(port, "yuqing_state_waiting_for_space") == 1; }, 120))
      << "the engine never ran short of space\n" << testing::read_file(dir.file("err.txt")).substr(0, 4000);
  // It stops taking input: the count stays put while it waits.
  const double read_while_full = testing::metric_sum(port, "yuqing_input_records_total");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(testing::metric_sum(port, "yuqing_input_records_total"), read_while_full);
  EXPECT_LT(read_while_full, static_cast<double>(kLines));
  EXPECT_TRUE(engine.alive());
  EXPECT_NE(testing::read_file(dir.file("err.txt")).find("under state.min_free_bytes"), std::string::npos);

  // Space returns: the engine goes on by itself and finishes the stream.
  ASSERT_TRUE(fs.resize("400m"));
  ASSERT_EQ(engine.wait(180), 0) << testing::read_file(dir.file("err.txt")).substr(0, 4000);
  const auto out = testing::read_file(dir.file("out.txt"));
  EXPECT_EQ(testing::summary_field(out, "read"), kLines);
  EXPECT_EQ(testing::summary_field(out, "processed"), kLines);
  EXPECT_NE(testing::read_file(dir.file("err.txt")).find("Disk space is back"), std::string::npos);

  // Nothing lost, nothing counted twice: the same windows as a run that never waited.
  auto ref = run_process({bin, "run", "--input", dir.file("in.jsonl"), "--exit-at-eof", "--rules", rules, "--state",
                          dir.file("ref"), "--http", "off", "--log-level", "warn"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const auto expected = testing::window_counts(dir.file("ref"), dir.path().string());
  const auto got = testing::window_counts(dir.file("fs") + "/state", dir.path().string());
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, values] : expected) EXPECT_EQ(got.at(key), values) << key;
  std::cerr << "disk full: paused at " << read_while_full << " of " << kLines << " mentions, resumed, counts exact\n";
}

}  // namespace
}  // namespace yuqing
