#pragma once
// `yuqing gen`: writes a seeded stream of synthetic mentions as JSONL (see README.md).
// Exit codes: 0 done (also when the reader closes the pipe), 1 write error, 2 bad options or
// bad rule / scenario files.

#include <CLI/CLI.hpp>

#include "engine/cli/command.h"

namespace yuqing::gen {

void register_gen_command(CLI::App& root, cli::CommandResult& result);

}  // namespace yuqing::gen
