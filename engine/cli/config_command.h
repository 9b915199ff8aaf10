#pragma once
// `yuqing config check FILE` and `yuqing config reference`.

#include "engine/cli/command.h"

namespace yuqing::cli {

void register_config_command(CLI::App& root, CommandResult& result);

}  // namespace yuqing::cli
