#pragma once
// Kafka commands of the `yuqing` executable:
//   yuqing dev-broker     a Kafka-protocol broker for tests and demos (librdkafka's mock cluster)
//   yuqing connect file   replays JSONL (or gzip) files into the mentions topic
//   yuqing connect http   an ingest endpoint (POST /ingest) answering once Kafka has the batch
// Exit codes: 0 done, 1 the work failed (e.g. messages not delivered), 2 bad options.

#include <CLI/CLI.hpp>

#include "engine/cli/command.h"

namespace yuqing::kafka {

void register_kafka_commands(CLI::App& root, cli::CommandResult& result);

}  // namespace yuqing::kafka
