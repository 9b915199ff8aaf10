#pragma once
// `yuqing score` and `yuqing eval sentiment` (docs/sentiment.md).
//
//   score [TEXT] [--rules DIR] [--explain] [--lang zh|en] [--vader FILE] [--afinn FILE]
//         [--positive FILE] [--negative FILE]
//       TEXT, or one text per line on stdin; one JSON line out per text:
//       {"score":-0.62,"label":"negative","lang":"zh"} (+ "aspects", "crisis" when hit;
//       --explain adds "sum" and "terms" with each term's weight, rule and contribution)
//   eval sentiment --data FILE --format vader|weibo|csv [--rules DIR] [--json]
//         [--limit N] [--show-errors N]
//       accuracy (binary; a neutral prediction counts as a miss), accuracy over non-neutral
//       predictions, share of neutrals, macro-F1, per-class precision/recall, confusion
//       matrix, per detected language. Exit 0 when the file was read, 1 on load errors.

#include <iosfwd>
#include <string>

#include "engine/cli/command.h"

namespace yuqing::sentiment {

// Registers both `score` and `eval` (with its `sentiment` subcommand).
void register_sentiment_commands(CLI::App& root, cli::CommandResult& result);

}  // namespace yuqing::sentiment
