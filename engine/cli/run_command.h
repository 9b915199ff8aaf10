#pragma once
// `yuqing run`: the engine process (embedded mode: one process, local RocksDB state).

#include "engine/cli/command.h"

namespace yuqing::cli {

void register_run_command(CLI::App& root, CommandResult& result);

}  // namespace yuqing::cli
