#pragma once
// `yuqing query trend|compare|mentions|alerts`: the HTTP API of a running engine from the
// command line (same JSON), and `yuqing state erase-author` for erasure requests.

#include "engine/cli/command.h"

namespace yuqing::cli {

void register_query_command(CLI::App& root, CommandResult& result);
void register_state_command(CLI::App& root, CommandResult& result);

}  // namespace yuqing::cli
