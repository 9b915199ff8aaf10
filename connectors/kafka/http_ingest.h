#pragma once
// `yuqing connect http`: an HTTP ingest endpoint in front of the mentions topic.
//
//   POST /ingest     body: JSONL (one document per line), a JSON array of documents, or with
//                    Content-Type application/json one JSON document; with --format rss the
//                    body is one RSS/Atom document. A document is a canonical mention
//                    (--format mention, the default) or a platform payload that the adapters
//                    (connectors/adapters) turn into mentions: weibo, x, reddit, rss.
//                    Authorization: Bearer <token> (when a token is configured)
//   GET  /healthz    200 while the process runs
//   GET  /metrics    yuqing_ingest_* counters (Prometheus text format)
//
// A request is answered only after Kafka has acknowledged every record in it: 200 means each
// valid mention is on the mentions topic (keyed by its id) and each invalid record is on the
// dead-letter topic with its reason (the engine's parse reasons for mentions, the adapters'
// reasons for payloads), and the answer lists them: {"accepted":N,"dead_lettered":M,
// "rejected":[{"index","reason","detail"}...]} (index: the document's place in the body). Other answers: 400 body is neither JSONL nor a JSON array,
// 401 missing or wrong token, 413 body over --max-body-bytes, 429 Kafka is backed up (records
// from an earlier request still wait for their acknowledgement; Retry-After says when to try),
// 503 Kafka did not acknowledge within --ack-timeout (some records may have landed: the
// producer is idempotent per message, not per request, so a resend may duplicate them).
//
// Requests are served one at a time on one thread (the producer's delivery reports are
// counted per request); clients send batches (hundreds to thousands of mentions) for rate.

#include <CLI/CLI.hpp>

#include "engine/cli/command.h"

namespace yuqing::kafka {

// Adds `connect http` under the `connect` command.
void register_connect_http(CLI::App& connect, cli::CommandResult& result);

}  // namespace yuqing::kafka
