#include "connectors/kafka/kafka_commands.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // after rdkafka.h, as it requires
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "connectors/adapters/adapter.h"
#include "connectors/kafka/http_ingest.h"
#include "connectors/kafka/kafka.h"
#include "connectors/kafka/kafka_sinks.h"

namespace yuqing::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// yuqing dev-broker

struct DevBrokerFlags {
  int brokers = 3;
  int partitions = 6;
  std::vector<std::string> topics = {"mentions", "mentions.dlq", "alerts", "yuqing.handover"};
  std::string ready_file;
};

// One control command from stdin, e.g. "broker-down 2". Returns "ok" or "error: ...".
std::string control(rd_kafka_mock_cluster_t* mc, const std::string& line) {
  std::istringstream in(line);
  std::string cmd;
  in >> cmd;
  auto result = [](rd_kafka_resp_err_t e) {
    return e == RD_KAFKA_RESP_ERR_NO_ERROR ? std::string("ok") : std::string("error: ") + rd_kafka_err2str(e);
  };
  if (cmd == "broker-down" || cmd == "broker-up") {
    int id = 0;
    if (!(in >> id)) return "error: usage: " + cmd + " BROKER_ID";
    return result(cmd == "broker-down" ? rd_kafka_mock_broker_set_down(mc, id) : rd_kafka_mock_broker_set_up(mc, id));
  }
  if (cmd == "leader") {
    std::string topic;
    int partition = 0, id = 0;
    if (!(in >> topic >> partition >> id)) return "error: usage: leader TOPIC PARTITION BROKER_ID";
    return result(rd_kafka_mock_partition_set_leader(mc, topic.c_str(), partition, id));
  }
  if (cmd == "coordinator") {
    std::string type, key;
    int id = 0;
    if (!(in >> type >> key >> id) || (type != "group" && type != "transaction")) {
      return "error: usage: coordinator group|transaction KEY BROKER_ID";
    }
    return result(rd_kafka_mock_coordinator_set(mc, type.c_str(), key.c_str(), id));
  }
  if (cmd == "request-errors") {
    int api_key = 0, count = 0, code = 0;
    if (!(in >> api_key >> count >> code) || count <= 0 || count > 1000) {
      return "error: usage: request-errors API_KEY COUNT ERROR_CODE (e.g. 0 3 6: three Produce requests fail "
             "with NOT_LEADER_OR_FOLLOWER)";
    }
    std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count), static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(mc, static_cast<std::int16_t>(api_key), errors.size(), errors.data());
    return "ok";
  }
  if (cmd == "topic") {
    std::string topic;
    int partitions = 0;
    if (!(in >> topic >> partitions) || partitions <= 0) return "error: usage: topic NAME PARTITIONS";
    return result(rd_kafka_mock_topic_create(mc, topic.c_str(), partitions, 1));
  }
  return "error: unknown command '" + cmd +
         "' (broker-down, broker-up, leader, coordinator, request-errors, topic)";
}

int run_dev_broker(const DevBrokerFlags& flags) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    std::cerr << "yuqing dev-broker: " << err << "\n";
    return cli::kExitFailure;
  }
  Handle handle(rk);
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, flags.brokers);
  if (mc == nullptr) {
    std::cerr << "yuqing dev-broker: cannot start the mock cluster\n";
    return cli::kExitFailure;
  }
  for (const auto& topic : flags.topics) {
    if (auto e = rd_kafka_mock_topic_create(mc, topic.c_str(), flags.partitions, std::min(flags.brokers, 3));
        e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "yuqing dev-broker: cannot create topic " << topic << ": " << rd_kafka_err2str(e) << "\n";
      rd_kafka_mock_cluster_destroy(mc);
      return cli::kExitFailure;
    }
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
  std::cout << bootstrap << std::endl;
  if (!flags.ready_file.empty()) {
    const std::string tmp = flags.ready_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::filesystem::rename(tmp, flags.ready_file);
  }
  std::cerr << "yuqing dev-broker: a Kafka-protocol test broker (librdkafka's mock cluster, in memory; NOT for "
               "production) with "
            << flags.brokers << " brokers at " << bootstrap << "; topics";
  for (const auto& t : flags.topics) std::cerr << " " << t;
  std::cerr << " (" << flags.partitions << " partitions each). Control commands on stdin; Ctrl-C stops.\n";

  // Control commands come from stdin; the thread is left behind at exit (it may be blocked
  // reading a terminal).
  std::thread([mc] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      std::cout << control(mc, line) << std::endl;
    }
  }).detach();

  int sig = 0;
  sigwait(&set, &sig);
  std::cerr << "yuqing dev-broker: stopping (" << strsignal(sig) << ").\n";
  std::cout.flush();
  // The mock cluster dies with the process; tearing it down while clients are connected can
  // take seconds, and nothing it holds needs to survive.
  std::_Exit(cli::kExitOk);
}

// ---------------------------------------------------------------------------------------------
// yuqing connect file

struct ConnectFileFlags {
  std::vector<std::string> paths;
  std::string brokers;
  std::string topic = "mentions";
  std::string dlq_topic = "mentions.dlq";
  double rate = 0;  // input records per second; 0 = full speed
  std::uint64_t from_offset = 0;  // input records (lines; rss: files) to skip
  std::uint64_t count = 0;        // input records to read; 0 = all
  std::string format = "mention";  // an adapters::Format name
  std::vector<std::string> properties;
};

// Reads lines from plain or gzip files (zlib reads both).
class LineReader {
 public:
  static std::unique_ptr<LineReader> open(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) return nullptr;
    gzbuffer(f, 1 << 20);
    auto r = std::unique_ptr<LineReader>(new LineReader());
    r->file_ = f;
    return r;
  }
  ~LineReader() {
    if (file_ != nullptr) gzclose(file_);
  }
  // Next line without its '\n' (and '\r'); nullopt at the end. Error text in `error`.
  std::optional<std::string_view> next(std::string& error) {
    for (;;) {
      if (const auto nl = buf_.find('\n', pos_); nl != std::string::npos) {
        std::string_view line(buf_.data() + pos_, nl - pos_);
        pos_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
      }
      if (eof_) {
        if (pos_ < buf_.size()) {
          std::string_view line(buf_.data() + pos_, buf_.size() - pos_);
          pos_ = buf_.size();
          return line;
        }
        return std::nullopt;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      const std::size_t old = buf_.size();
      buf_.resize(old + (1 << 20));
      const int n = gzread(file_, buf_.data() + old, 1 << 20);
      if (n < 0) {
        int code = 0;
        error = gzerror(file_, &code);
        return std::nullopt;
      }
      buf_.resize(old + static_cast<std::size_t>(n));
      if (n == 0) eof_ = true;
    }
  }
  // Compressed bytes consumed so far (for progress).
  std::uint64_t position() const { return static_cast<std::uint64_t>(gzoffset(file_)); }

 private:
  LineReader() = default;
  gzFile file_ = nullptr;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
};

// Progress on stderr: a bar redrawn in place on a terminal, a plain line every 5 s otherwise.
class Progress {
 public:
  explicit Progress(std::uint64_t total_bytes) : total_(total_bytes), tty_(isatty(STDERR_FILENO) != 0) {}
  void update(std::uint64_t lines, std::uint64_t bytes_done, bool final = false) {
    const auto now = Clock::now();
    if (!final && now - last_ < (tty_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000))) return;
    last_ = now;
    const double secs = std::max(1e-3, std::chrono::duration<double>(now - start_).count());
    const double rate = static_cast<double>(lines) / secs;
    const double frac = total_ > 0 ? std::min(1.0, static_cast<double>(bytes_done) / static_cast<double>(total_)) : 0;
    const double eta = frac > 0 ? secs * (1 - frac) / frac : 0;
    char line[256];
    if (tty_) {
      const int width = 30, filled = static_cast<int>(frac * width);
      std::string bar(static_cast<std::size_t>(filled), '=');
      bar.resize(width, ' ');
      std::snprintf(line, sizeof line, "\r[%s] %3.0f%% %llu lines %.0f/s ETA %.0fs ", bar.c_str(), frac * 100,
                    static_cast<unsigned long long>(lines), rate, eta);
      std::fputs(line, stderr);
      if (final) std::fputs("\n", stderr);
    } else {
      std::snprintf(line, sizeof line, "yuqing connect: %llu lines (%.0f%%), %.0f lines/s, ETA %.0fs\n",
                    static_cast<unsigned long long>(lines), frac * 100, rate, eta);
      std::fputs(line, stderr);
    }
  }

 private:
  std::uint64_t total_;
  bool tty_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
};

int run_connect_file(const ConnectFileFlags& flags) {
  std::signal(SIGPIPE, SIG_IGN);
  const auto format = adapters::parse_format(flags.format);
  if (!format) {  // CLI11 checks the name already; this is for other callers
    std::cerr << "yuqing connect file: unknown --format " << flags.format << "\n";
    return cli::kExitUsage;
  }
  KafkaOptions options;
  options.brokers = flags.brokers;
  for (const auto& p : flags.properties) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "yuqing connect file: --property expects KEY=VALUE, got '" << p << "'\n";
      return cli::kExitUsage;
    }
    options.properties.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  auto producer = Producer::open(options);
  if (!producer) {
    std::cerr << "yuqing connect file: " << producer.error() << "\n";
    return cli::kExitUsage;
  }
  // Dead letters go through their own producer, so `acknowledged` counts mentions only; it is
  // opened at the first rejection (the mention format never has one: the engine judges it).
  std::unique_ptr<Producer> dlq_producer;
  std::uint64_t total_bytes = 0;
  for (const auto& p : flags.paths) {
    std::error_code ec;
    total_bytes += std::filesystem::file_size(p, ec);
  }

  // Mentions are keyed by id: a mention's versions (edits, metric updates) stay in order on one
  // partition. A `mention` line whose id cannot be read is still sent (without a key): the
  // engine dead-letters it with the reason, so nothing is dropped here. A platform payload that
  // cannot be mapped goes to the dead-letter topic with its original bytes and the reason.
  auto adapter = adapters::make(*format);
  adapters::Output out;
  Progress progress(total_bytes);
  std::uint64_t record_no = 0, records = 0, sent = 0, dead = 0, bytes_before = 0;
  const auto start = Clock::now();
  std::string failure;
  auto handle = [&](std::string_view document, const std::string& source) -> bool {
    adapter->convert(document, out);
    for (const auto& m : out.mentions) {
      if (auto st = producer.value()->produce(flags.topic, m.id, m.json); !st) {
        failure = st.error();
        return false;
      }
      ++sent;
    }
    for (const auto& r : out.rejections) {
      if (!dlq_producer) {
        auto opened = Producer::open(options);
        if (!opened) {
          failure = opened.error();
          return false;
        }
        dlq_producer = std::move(*opened);
      }
      dlq::DeadLetter letter;
      letter.reason = adapters::reason_name(r.reason);
      letter.detail = r.detail;
      letter.source = source;
      letter.offset = record_no - 1;  // the input record (line, or file for rss) it came from
      letter.size = r.raw.size();
      letter.raw = r.raw;
      std::array<std::string, 3> numbers;
      if (auto st = dlq_producer->produce(flags.dlq_topic, {}, r.raw, dead_letter_headers(letter, numbers)); !st) {
        failure = st.error();
        return false;
      }
      ++dead;
    }
    ++records;
    if (flags.rate > 0) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(static_cast<double>(records) / flags.rate));
      while (Clock::now() < due) {
        producer.value()->poll();
        if (dlq_producer) dlq_producer->poll();
        std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(50)));
      }
    }
    return true;
  };

  const bool whole_files = adapters::framing(*format) == adapters::Framing::whole_file;
  std::string document;
  for (const auto& path : flags.paths) {
    if (flags.count > 0 && records >= flags.count) break;
    auto reader = LineReader::open(path);
    if (!reader) {
      std::cerr << "yuqing connect file: cannot open " << path << "\n";
      return cli::kExitFailure;
    }
    std::error_code ec;
    const auto abs = std::filesystem::absolute(path, ec);
    const std::string source = "file:" + (ec ? path : abs.string());
    std::string error;
    if (whole_files) {  // rss: the file is one XML document (line ends normalized to \n)
      document.clear();
      while (auto line = reader->next(error)) {
        document.append(*line);
        document += '\n';
      }
      if (error.empty() && record_no++ >= flags.from_offset && !handle(document, source)) {
        std::cerr << "\nyuqing connect file: " << failure << "\n";
        return cli::kExitFailure;
      }
      progress.update(records, bytes_before + reader->position());
    } else {
      while (auto line = reader->next(error)) {
        if (line->find_first_not_of(" \t") == std::string_view::npos) continue;  // blank: not a record
        if (flags.count > 0 && records >= flags.count) break;
        if (record_no++ < flags.from_offset) continue;
        if (!handle(*line, source)) {
          std::cerr << "\nyuqing connect file: " << failure << "\n";
          return cli::kExitFailure;
        }
        progress.update(records, bytes_before + reader->position());
      }
    }
    if (!error.empty()) {
      std::cerr << "\nyuqing connect file: " << path << ": " << error << "\n";
      return cli::kExitFailure;
    }
    bytes_before += reader->position();
  }
  auto flushed = producer.value()->flush(120'000);
  Status<std::string> dlq_flushed;
  if (dlq_producer) dlq_flushed = dlq_producer->flush(120'000);
  progress.update(records, total_bytes, true);
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::cerr << "yuqing connect file: " << sent << " records sent to " << flags.topic << ", "
            << producer.value()->delivered() << " acknowledged by Kafka in " << secs << " s ("
            << static_cast<std::uint64_t>(static_cast<double>(sent) / std::max(secs, 1e-3)) << "/s)";
  if (dead > 0) std::cerr << "; " << dead << " dead letters to " << flags.dlq_topic;
  std::cerr << "\n";
  if (!flushed || !dlq_flushed) {
    std::cerr << "yuqing connect file: " << (!flushed ? flushed.error() : "dead-letter topic: " + dlq_flushed.error())
              << ". Resume with --from-offset " << flags.from_offset
              << " (records are keyed by id; the engine counts a mention once per id and offset).\n";
    return cli::kExitFailure;
  }
  std::cout << "connect: sent=" << sent << " acknowledged=" << producer.value()->delivered()
            << " dead_lettered=" << dead << " next_offset=" << record_no << std::endl;
  return cli::kExitOk;
}

}  // namespace

void register_kafka_commands(CLI::App& root, cli::CommandResult& result) {
  {
    auto flags = std::make_shared<DevBrokerFlags>();
    auto* cmd = root.add_subcommand(
        "dev-broker",
        "Run a Kafka-protocol broker in memory for tests and demos (librdkafka's mock cluster; not for production). "
        "Prints the bootstrap address on stdout, then reads control commands on stdin: broker-down ID, broker-up ID, "
        "leader TOPIC PARTITION ID, coordinator group|transaction KEY ID, request-errors API_KEY COUNT CODE, "
        "topic NAME PARTITIONS.");
    cmd->add_option("--brokers", flags->brokers, "Brokers in the cluster (default: 3)")->check(CLI::Range(1, 9));
    cmd->add_option("--partitions", flags->partitions, "Partitions per topic (default: 6)")->check(CLI::Range(1, 256));
    cmd->add_option("--topic", flags->topics, "Topics to create (default: mentions mentions.dlq alerts yuqing.handover)");
    cmd->add_option("--ready-file", flags->ready_file, "Also write the bootstrap address to this file when ready");
    cmd->callback([flags, &result] { result.exit_code = run_dev_broker(*flags); });
  }
  auto* connect = root.add_subcommand("connect", "Connectors: bring mentions into Kafka.");
  connect->require_subcommand(1);
  register_connect_http(*connect, result);
  {
    auto flags = std::make_shared<ConnectFileFlags>();
    auto* cmd = connect->add_subcommand(
        "file",
        "Replay files into the mentions topic, keyed by mention id, in file order. --format mention (default) reads "
        "canonical mention JSONL; weibo, x and reddit read JSONL of platform API payloads (one response or item per "
        "line), rss reads each file as one RSS or Atom feed; payloads are converted to canonical mentions, and what "
        "cannot be converted goes to the dead-letter topic with its original bytes and the reason in headers. Gzip "
        "files are read too. Prints 'connect: sent=N acknowledged=N dead_lettered=N next_offset=N'.");
    cmd->add_option("paths", flags->paths, "JSONL, XML (rss) or .gz files")->required()->check(CLI::ExistingFile);
    cmd->add_option("--brokers", flags->brokers, "Kafka bootstrap servers HOST:PORT[,...]")->required();
    cmd->add_option("--topic", flags->topic, "Topic for mentions (default: mentions)");
    cmd->add_option("--dlq-topic", flags->dlq_topic,
                    "Topic for payloads that cannot be converted (default: mentions.dlq)");
    cmd->add_option("--rate", flags->rate, "Input records per second (default: full speed)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--from-offset", flags->from_offset,
                    "Skip this many input records first: lines, or files for rss (resume: the next_offset a "
                    "previous run printed)");
    cmd->add_option("--count", flags->count, "Read at most this many input records (default: all)");
    std::vector<std::string> formats;
    for (auto f : adapters::kFormats) formats.emplace_back(adapters::format_name(f));
    cmd->add_option("--format", flags->format,
                    "Input format: mention (canonical JSONL, default), weibo (statuses API JSON), x (X API v2 "
                    "responses), reddit (listing JSON), rss (RSS 2.0 / Atom feeds)")
        ->check(CLI::IsMember(formats));
    cmd->add_option("--property", flags->properties, "librdkafka producer property KEY=VALUE (repeatable)");
    cmd->callback([flags, &result] { result.exit_code = run_connect_file(*flags); });
  }
}

}  // namespace yuqing::kafka
