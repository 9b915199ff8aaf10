#include <cstdio>
#include <regex>
#include "tests/support/support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace yuqing::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "yuqing-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  // YUQING_KEEP_TEST_DIRS=1 keeps the files (logs, state) of a test for a post-mortem.
  if (const char* keep = std::getenv("YUQING_KEEP_TEST_DIRS"); keep != nullptr && *keep == '1') {
    std::fprintf(stderr, "kept test directory %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path source_dir() {
  if (const char* s = std::getenv("YUQING_SOURCE_DIR")) return s;
  return YUQING_TEST_SOURCE_DIR;
}

std::string yuqing_binary() {
  if (const char* s = std::getenv("YUQING_BINARY")) return s;
  return YUQING_TEST_BINARY;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

namespace {
std::vector<char*> make_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}
}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input, int timeout_s) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) || ::pipe(out_pipe) || ::pipe(err_pipe)) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    auto args = make_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::signal(SIGPIPE, SIG_IGN);
  ProcessResult result;
  std::size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out_pipe[0], POLLIN, 0});
    if (err_open) fds.push_back({err_pipe[0], POLLIN, 0});
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    ::poll(fds.data(), fds.size(), 100);
    for (auto& p : fds) {
      if (p.fd == in_fd && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
        const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
      } else if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::read(p.fd, buf, sizeof buf);
        if (n <= 0) {
          if (p.fd == out_pipe[0]) out_open = false;
          else err_open = false;
        } else {
          (p.fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
        }
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::string& out_file,
                                     const std::string& err_file, bool pipe_stdin) {
  int fds[2] = {-1, -1};
  if (pipe_stdin && ::pipe(fds) != 0) fds[0] = fds[1] = -1;
  pid_ = ::fork();
  if (pid_ == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fds[0] >= 0) {
      ::dup2(fds[0], 0);
      ::close(fds[1]);
    } else {
      const int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(devnull, 0);
    }
    ::dup2(out, 1);
    ::dup2(err, 2);
    auto args = make_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (fds[0] >= 0) {
    ::close(fds[0]);
    stdin_fd_ = fds[1];
  }
}

bool BackgroundProcess::write_stdin(const std::string& text) {
  if (stdin_fd_ < 0) return false;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(stdin_fd_, text.data() + done, text.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

BackgroundProcess::~BackgroundProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
}

void BackgroundProcess::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

bool BackgroundProcess::alive() {
  if (reaped_) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

int BackgroundProcess::wait(int timeout_s) {
  if (!eventually([this] { return !alive(); }, timeout_s)) return -1000;
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

HttpResponse http_request(const std::string& method, std::uint16_t port, const std::string& target,
                          const std::string& body, const std::string& content_type,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace beast = boost::beast;
  namespace asio = boost::asio;
  HttpResponse out;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    beast::http::request<beast::http::string_body> req{beast::http::string_to_verb(method), target, 11};
    req.set(beast::http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(beast::http::field::content_type, content_type);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[beast::http::field::content_type]);
    out.location = std::string(res[beast::http::field::location]);
    out.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acc(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acc.local_endpoint().port();
}

}  // namespace yuqing::testing

namespace yuqing::testing {

std::uint64_t summary_field(const std::string& text, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(name + "=(\\d+)"))) return ~0ULL;
  return std::stoull(m[1]);
}

double metric_sum(std::uint16_t port, const std::string& name) {
  const auto scrape = http_get(port, "/metrics").body;
  double sum = 0;
  const std::regex line("^" + name + "(\\{[^}]*\\})? ([0-9.e+-]+)$", std::regex::multiline);
  for (auto it = std::sregex_iterator(scrape.begin(), scrape.end(), line); it != std::sregex_iterator(); ++it) {
    sum += std::stod((*it)[2]);
  }
  return sum;
}

DevBroker::DevBroker(const TempDir& dir, const std::vector<std::string>& topics) : err_file_(dir.file("broker.err")) {
  const std::string ready = dir.file("brokers");
  std::vector<std::string> argv = {yuqing_binary(), "dev-broker", "--ready-file", ready};
  for (const auto& t : topics) {
    argv.push_back("--topic");
    argv.push_back(t);
  }
  process_ = std::make_unique<BackgroundProcess>(argv, dir.file("broker.out"), err_file_, /*pipe_stdin=*/true);
  if (!eventually([&] { return std::filesystem::exists(ready); }, 20)) return;
  brokers_ = read_file(ready);
  brokers_.erase(brokers_.find_last_not_of("\n") + 1);
}

std::string DevBroker::error() const { return read_file(err_file_); }

bool DevBroker::control(const std::string& command) { return process_ && process_->write_stdin(command + "\n"); }

void DevBroker::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  process_->wait(20);
  process_.reset();
}

RoleEngine start_role(const TempDir& dir, const std::string& name, const std::string& role,
                      const std::string& brokers, const std::string& ready_path) {
  const std::string config = dir.file("kafka-roles.yaml");
  if (!std::filesystem::exists(config)) {
    write_file(config, "kafka:\n  properties:\n    session.timeout.ms: 6000\n    heartbeat.interval.ms: 500\n");
  }
  RoleEngine e;
  e.name = name;
  e.port = free_port();
  e.state = dir.file(name);
  e.err = dir.file(name + ".err");
  e.process = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{yuqing_binary(), "run", "--role", role, "--config", config, "--brokers", brokers,
                               "--rules", (source_dir() / "rules").string(), "--state", e.state, "--http",
                               "127.0.0.1:" + std::to_string(e.port)},
      dir.file(name + ".out"), e.err);
  EXPECT_TRUE(eventually([&] { return http_get(e.port, ready_path).status == 200; }, 30)) << read_file(e.err);
  return e;
}

}  // namespace yuqing::testing
