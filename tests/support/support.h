#pragma once
// Shared test helpers: temporary directories, running the yuqing binary, a tiny HTTP client.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace yuqing::testing {

// A fresh directory under /tmp, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The repository root (YUQING_SOURCE_DIR, set by ctest) and the yuqing binary (YUQING_BINARY).
std::filesystem::path source_dir();
std::string yuqing_binary();

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& contents);
std::vector<std::string> read_lines(const std::string& path);

struct ProcessResult {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out, err;
};

// Runs argv to completion (stdin from `input`), capturing stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = "",
                          int timeout_s = 120);

// A process running in the background; stdout/stderr go to files. Killed (SIGKILL) on destruction if alive.
class BackgroundProcess {
 public:
  // pipe_stdin: the child's stdin is a pipe fed by write_stdin() (else /dev/null).
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file,
                    bool pipe_stdin = false);
  ~BackgroundProcess();
  pid_t pid() const { return pid_; }
  // Writes to the child's stdin (pipe_stdin only). False when the child closed it.
  bool write_stdin(const std::string& text);
  void signal(int sig);
  // Waits for exit; returns the exit code (or -signal). -1000 on timeout.
  int wait(int timeout_s = 60);
  bool alive();

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

struct HttpResponse {
  int status = 0;  // 0 when the connection failed
  std::string content_type;
  std::string body;
  std::string location;  // the Location header of a redirect
};
HttpResponse http_request(const std::string& method, std::uint16_t port, const std::string& target,
                          const std::string& body = "", const std::string& content_type = "application/json",
                          const std::vector<std::pair<std::string, std::string>>& headers = {});
inline HttpResponse http_get(std::uint16_t port, const std::string& target) { return http_request("GET", port, target); }

// A NAME=<digits> field of a `yuqing run` summary line (or any text); ~0 when absent.
std::uint64_t summary_field(const std::string& text, const std::string& name);

// A TCP port that was free a moment ago on 127.0.0.1.
std::uint16_t free_port();

// Sum of one metric over all its label sets in a /metrics scrape of 127.0.0.1:port (0 when
// absent or unreachable).
double metric_sum(std::uint16_t port, const std::string& name);

// `yuqing dev-broker` (librdkafka's mock cluster) for one test: started with a ready file in
// `dir`, killed with the object. Fault commands go to its stdin through control().
class DevBroker {
 public:
  // `topics`: created up front (--topic each), besides the broker's own defaults.
  explicit DevBroker(const TempDir& dir, const std::vector<std::string>& topics = {});
  // The bootstrap address; empty when the broker did not come up (see error()).
  const std::string& brokers() const { return brokers_; }
  std::string error() const;
  // One stdin command, e.g. "broker-down 2"; false when the broker is gone.
  bool control(const std::string& command);
  void stop();

 private:
  std::string err_file_;
  std::string brokers_;
  std::unique_ptr<BackgroundProcess> process_;
};

// The topics the scale-out roles use (docs/scaling.md).
inline const std::vector<std::string> kScaleOutTopics = {"mentions",       "mentions.dlq",   "alerts",
                                                         "yuqing.handover", "yuqing.matches", "yuqing.aggregate.changelog"};

// A `yuqing run --role ROLE` process on loopback (state in dir/NAME, logs in dir/NAME.out and
// .err), with a 6 s session timeout so tests see a dead member's partitions move in seconds.
struct RoleEngine {
  std::string name, state, err;
  std::uint16_t port = 0;
  std::unique_ptr<BackgroundProcess> process;
};
// Starts it and waits (30 s) until GET `ready_path` answers 200; a gtest failure otherwise.
RoleEngine start_role(const TempDir& dir, const std::string& name, const std::string& role,
                      const std::string& brokers, const std::string& ready_path = "/readyz");

// Polls `pred` every 50 ms until it is true or `timeout_s` passes.
template <class Pred>
bool eventually(Pred pred, double timeout_s = 30);

}  // namespace yuqing::testing

#include <chrono>
#include <thread>
template <class Pred>
bool yuqing::testing::eventually(Pred pred, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}
