#include "connectors/kafka/http_ingest.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <signal.h>
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/adapters/adapter.h"
#include "connectors/kafka/kafka.h"
#include "connectors/kafka/kafka_sinks.h"
#include "engine/base/log.h"
#include "engine/base/text.h"
#include "engine/http/server.h"
#include "engine/parse/parse.h"

namespace yuqing::kafka {
namespace {

struct ConnectHttpFlags {
  std::string listen = "127.0.0.1:8090";
  std::string brokers;
  std::string topic = "mentions";
  std::string dlq_topic = "mentions.dlq";
  std::string token_file;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  double ack_timeout_s = 30;
  std::vector<std::string> properties;
  std::string ready_file;
  std::string format = "mention";
};

// Whether a body is a JSON array (first non-blank byte after an optional BOM is '[').
bool is_json_array(std::string_view body) {
  std::size_t start = body.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && body.substr(start).starts_with("\xEF\xBB\xBF")) {
    start = body.find_first_not_of(" \t\r\n", start + 3);
  }
  return start != std::string_view::npos && body[start] == '[';
}

// The non-blank lines of a JSONL body (views into it).
std::vector<std::string_view> split_lines(std::string_view body) {
  std::vector<std::string_view> records;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view line = body.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) records.push_back(line);
    pos = nl + 1;
  }
  return records;
}

// Elements of a JSON array body, as their raw JSON text (views into `padded`).
Result<std::vector<std::string_view>, std::string> split_array(const simdjson::padded_string& padded,
                                                               simdjson::ondemand::parser& parser) {
  std::vector<std::string_view> records;
  simdjson::ondemand::document doc;
  if (auto err = parser.iterate(padded).get(doc)) return Unexpected{std::string(simdjson::error_message(err))};
  simdjson::ondemand::array array;
  if (auto err = doc.get_array().get(array)) return Unexpected{std::string(simdjson::error_message(err))};
  for (auto element : array) {
    simdjson::ondemand::value value;
    if (auto err = element.get(value)) return Unexpected{std::string(simdjson::error_message(err))};
    simdjson::ondemand::json_type type;
    if (auto err = value.type().get(type)) return Unexpected{std::string(simdjson::error_message(err))};
    std::string_view raw;
    simdjson::error_code err = simdjson::SUCCESS;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object object;
      err = value.get_object().get(object);
      if (!err) err = object.raw_json().get(raw);
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array inner;
      err = value.get_array().get(inner);
      if (!err) err = inner.raw_json().get(raw);
    } else {
      raw = value.raw_json_token();
    }
    if (err) return Unexpected{std::string(simdjson::error_message(err))};
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
    records.push_back(raw);
  }
  // On-Demand stops at the array's end: what follows it must be blank.
  const std::string_view all(padded.data(), padded.size());
  std::size_t after = records.empty() ? all.find('[') + 1 : static_cast<std::size_t>(records.back().data() + records.back().size() - padded.data());
  after = all.find_first_not_of(" \t\r\n", after);
  if (after == std::string_view::npos || all[after] != ']' ||
      all.find_first_not_of(" \t\r\n", after + 1) != std::string_view::npos) {
    return Unexpected{std::string("content after the array's end")};
  }
  return records;
}

class IngestService {
 public:
  IngestService(const ConnectHttpFlags& flags, std::unique_ptr<Producer> producer, std::string token)
      : flags_(flags),
        producer_(std::move(producer)),
        token_(std::move(token)),
        format_(*adapters::parse_format(flags.format)),
        adapter_(adapters::make(format_)) {
    auto& requests = prometheus::BuildCounter()
                         .Name("yuqing_ingest_requests_total")
                         .Help("Ingest requests answered, by HTTP status code")
                         .Register(registry_);
    // (413 is answered by the server before the handler runs, so it is not counted here.)
    for (const char* code : {"200", "400", "401", "429", "503"}) {
      by_code_.emplace_back(code, &requests.Add({{"code", code}}));
    }
    auto& records = prometheus::BuildCounter()
                        .Name("yuqing_ingest_records_total")
                        .Help("Records acknowledged by Kafka, by where they went (mentions or dead-letter topic)")
                        .Register(registry_);
    accepted_ = &records.Add({{"result", "accepted"}});
    dead_lettered_ = &records.Add({{"result", "dead_lettered"}});
  }

  void install(http::Server& server) {
    server.route("POST", "/ingest", [this](const http::Request& req) { return counted(ingest(req)); });
    server.route("GET", "/healthz", [](const http::Request&) { return http::Response{200, "text/plain", "ok\n", {}}; });
    server.route("GET", "/metrics", [this](const http::Request&) {
      http::Response r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = prometheus::TextSerializer().Serialize(registry_.Collect());
      return r;
    });
  }

 private:
  http::Response counted(http::Response r) {
    const std::string code = std::to_string(r.status);
    for (auto& [c, counter] : by_code_) {
      if (c == code) counter->Increment();
    }
    return r;
  }

  http::Response ingest(const http::Request& req) {
    if (!token_.empty()) {
      const std::string_view auth = req.header("Authorization");
      constexpr std::string_view kBearer = "Bearer ";
      if (!auth.starts_with(kBearer) || !text::constant_time_equal(auth.substr(kBearer.size()), token_)) {
        auto r = http::problem(401, "Unauthorized", "send Authorization: Bearer <token>");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"yuqing-ingest\"");
        return r;
      }
    }
    // Records of an earlier request that timed out still wait for Kafka: taking more would
    // only grow the backlog. The client retries after a pause.
    producer_->poll();  // serve the delivery reports that arrived since the last request
    if (const int waiting = rd_kafka_outq_len(producer_->handle()); waiting > 0) {
      auto r = http::problem(429, "Too Many Requests",
                             std::to_string(waiting) + " records of earlier requests still wait for Kafka's acknowledgement");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }

    // Documents: the body as one (rss; application/json that is not an array), the elements
    // of a JSON array, or the lines of JSONL. A JSON array is copied once with simdjson's
    // padding; its element views point there.
    simdjson::padded_string padded;
    Result<std::vector<std::string_view>, std::string> documents = std::vector<std::string_view>{};
    const bool json_body = req.header("Content-Type").starts_with("application/json");
    if (is_json_array(req.body)) {
      padded = simdjson::padded_string(req.body);
      documents = split_array(padded, json_);
      if (!documents) return http::problem(400, "Bad Request", "the body is not a valid JSON array: " + documents.error());
    } else if (adapters::framing(format_) == adapters::Framing::whole_file || json_body) {
      if (req.body.find_first_not_of(" \t\r\n") != std::string_view::npos) documents->push_back(req.body);
    } else {
      documents = split_lines(req.body);
    }
    if (documents->empty()) return http::problem(400, "Bad Request", "the body holds no records (JSONL or a JSON array)");

    // Valid mentions go to the mentions topic keyed by id; what cannot be a mention goes to the
    // dead-letter topic with its reason, so the caller learns now and nothing is dropped.
    Tally tally;
    source_ = "http:/ingest#" + std::to_string(++requests_);
    for (std::size_t i = 0; i < documents->size(); ++i) {
      const std::string_view doc = (*documents)[i];
      if (format_ == adapters::Format::mention) {
        // Checked with the engine's own parser: the verdict the engine would reach later.
        if (auto mention = parser_.parse(doc)) {
          if (auto st = producer_->produce(flags_.topic, mention->id, doc); !st) return unavailable(st.error());
          ++tally.accepted;
        } else if (auto st = dead_letter(i, parse::reject_name(mention.error().reason), mention.error().detail, doc,
                                         tally);
                   !st) {
          return unavailable(st.error());
        }
        continue;
      }
      adapter_->convert(doc, converted_);
      for (const auto& m : converted_.mentions) {
        if (auto st = producer_->produce(flags_.topic, m.id, m.json); !st) return unavailable(st.error());
        ++tally.accepted;
      }
      for (const auto& r : converted_.rejections) {
        if (auto st = dead_letter(i, adapters::reason_name(r.reason), r.detail, r.raw, tally); !st) {
          return unavailable(st.error());
        }
      }
    }
    if (auto st = producer_->flush(static_cast<int>(flags_.ack_timeout_s * 1000)); !st) {
      return unavailable("Kafka did not acknowledge the batch: " + st.error());
    }
    accepted_->Increment(static_cast<double>(tally.accepted));
    dead_lettered_->Increment(static_cast<double>(tally.dead));
    std::string body = "{\"accepted\":" + std::to_string(tally.accepted) +
                       ",\"dead_lettered\":" + std::to_string(tally.dead) + ",\"rejected\":[" + tally.rejected + "]}";
    return http::json(std::move(body));
  }

  struct Tally {
    std::uint64_t accepted = 0, dead = 0;
    std::string rejected;  // JSON array items for the answer (the first kMaxRejectsListed)
  };

  // One record to the dead-letter topic, with the headers the engine's own letters carry;
  // `index` is the document's position in the request body.
  Status<std::string> dead_letter(std::size_t index, std::string_view reason, std::string_view detail,
                                  std::string_view raw, Tally& tally) {
    dlq::DeadLetter letter;
    letter.reason = reason;
    letter.detail = detail;
    letter.source = source_;
    letter.offset = index;
    letter.size = raw.size();
    letter.raw = raw;
    auto st = producer_->produce(flags_.dlq_topic, {}, raw, dead_letter_headers(letter, numbers_));
    if (++tally.dead <= kMaxRejectsListed) {
      if (!tally.rejected.empty()) tally.rejected += ',';
      tally.rejected += "{\"index\":" + std::to_string(index) + ",\"reason\":";
      text::append_json_string(tally.rejected, reason);
      tally.rejected += ",\"detail\":";
      text::append_json_string(tally.rejected, detail);
      tally.rejected += '}';
    }
    return st;
  }

  http::Response unavailable(const std::string& why) {
    log::warn("ingest: {}", why);
    producer_->poll();
    auto r = http::problem(503, "Service Unavailable",
                           why + ". Some records may have landed; resending the batch may duplicate them.");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }

  static constexpr std::uint64_t kMaxRejectsListed = 100;
  const ConnectHttpFlags& flags_;
  std::unique_ptr<Producer> producer_;
  std::string token_;
  simdjson::ondemand::parser json_;
  parse::MentionParser parser_;
  adapters::Format format_;
  std::unique_ptr<adapters::Adapter> adapter_;
  adapters::Output converted_;
  std::string source_;
  std::array<std::string, 3> numbers_;
  std::uint64_t requests_ = 0;
  prometheus::Registry registry_;
  std::vector<std::pair<std::string, prometheus::Counter*>> by_code_;
  prometheus::Counter* accepted_ = nullptr;
  prometheus::Counter* dead_lettered_ = nullptr;
};

Result<std::string, std::string> read_token(const ConnectHttpFlags& flags) {
  std::string token;
  if (!flags.token_file.empty()) {
    std::ifstream in(flags.token_file);
    if (!in) return Unexpected{"cannot read --token-file " + flags.token_file};
    std::getline(in, token);
  } else if (const char* env = std::getenv("YUQING_INGEST_TOKEN"); env != nullptr) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

int run_connect_http(const ConnectHttpFlags& flags) {
  auto token = read_token(flags);
  if (!token) {
    std::cerr << "yuqing connect http: " << token.error() << "\n";
    return cli::kExitUsage;
  }
  if (token->empty()) {
    log::warn("connect http: no token (--token-file or YUQING_INGEST_TOKEN): anyone who reaches {} can ingest",
              flags.listen);
  }
  KafkaOptions options;
  options.brokers = flags.brokers;
  for (const auto& p : flags.properties) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "yuqing connect http: --property expects KEY=VALUE, got '" << p << "'\n";
      return cli::kExitUsage;
    }
    options.properties.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  // Undeliverable records fail within the caller's patience instead of librdkafka's default.
  const auto timeout_ms = std::to_string(static_cast<long>(flags.ack_timeout_s * 1000));
  auto producer = Producer::open(options, {{"message.timeout.ms", timeout_ms}});
  if (!producer) {
    std::cerr << "yuqing connect http: " << producer.error() << "\n";
    return cli::kExitUsage;
  }

  // Signals are taken by sigwait below, so block them before the server's thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  IngestService service(flags, std::move(producer.value()), std::move(*token));
  http::ServerOptions server_options;
  server_options.listen = flags.listen;
  server_options.max_body_bytes = flags.max_body_bytes;
  server_options.read_timeout_ms = 60'000;
  http::Server server(server_options);
  service.install(server);
  if (auto st = server.start(); !st) {
    std::cerr << "yuqing connect http: " << st.error() << "\n";
    return cli::kExitFailure;
  }
  const std::string host = flags.listen.substr(0, flags.listen.rfind(':'));
  const std::string address = host + ":" + std::to_string(server.port());
  std::cout << address << std::endl;
  if (!flags.ready_file.empty()) {
    std::ofstream(flags.ready_file + ".tmp") << address << "\n";
    std::rename((flags.ready_file + ".tmp").c_str(), flags.ready_file.c_str());
  }
  log::info("connect http: POST http://{}/ingest -> {} (dead letters -> {})", address, flags.topic, flags.dlq_topic);
  int sig = 0;
  sigwait(&signals, &sig);
  log::info("connect http: stopping ({})", strsignal(sig));
  server.stop();  // a request in progress finishes first: it is answered only once Kafka has it
  return cli::kExitOk;
}

}  // namespace

void register_connect_http(CLI::App& connect, cli::CommandResult& result) {
  auto flags = std::make_shared<ConnectHttpFlags>();
  auto* cmd = connect.add_subcommand(
      "http",
      "Serve POST /ingest (JSONL or a JSON array of mentions) and answer once Kafka has every record: valid "
      "mentions on the mentions topic keyed by id, invalid ones on the dead-letter topic with the reason. "
      "Token from --token-file or YUQING_INGEST_TOKEN.");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to serve on; port 0 picks a free one (default: 127.0.0.1:8090)");
  cmd->add_option("--brokers", flags->brokers, "Kafka bootstrap servers HOST:PORT[,...]")->required();
  cmd->add_option("--topic", flags->topic, "Topic for mentions (default: mentions)");
  cmd->add_option("--dlq-topic", flags->dlq_topic, "Topic for records that are not valid mentions (default: mentions.dlq)");
  cmd->add_option("--token-file", flags->token_file, "File whose first line is the bearer token")
      ->check(CLI::ExistingFile);
  cmd->add_option("--max-body-bytes", flags->max_body_bytes, "Larger bodies get 413 (default: 8388608)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cmd->add_option("--ack-timeout", flags->ack_timeout_s, "Seconds to wait for Kafka before answering 503 (default: 30)")
      ->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--property", flags->properties, "librdkafka producer property KEY=VALUE (repeatable)");
  cmd->add_option("--ready-file", flags->ready_file, "Also write the listen address to this file when serving");
  std::vector<std::string> formats;
  for (auto f : adapters::kFormats) formats.emplace_back(adapters::format_name(f));
  cmd->add_option("--format", flags->format,
                  "Payload format of the bodies: mention (canonical), weibo, x, reddit, rss (default: mention)")
      ->check(CLI::IsMember(formats));
  cmd->callback([flags, &result] { result.exit_code = run_connect_http(*flags); });
}

}  // namespace yuqing::kafka
