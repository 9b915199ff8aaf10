#pragma once
// How subcommands plug into the `yuqing` executable. Each module that offers a command exposes
//   void register_<name>_command(CLI::App& root, CommandResult& result);
// which adds a CLI11 subcommand whose callback runs the command and stores its exit code in
// `result`. Exit codes: 0 success, 1 failure of the work itself, 2 usage error.

#include <CLI/CLI.hpp>

namespace yuqing::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CommandResult {
  int exit_code = kExitOk;
};

}  // namespace yuqing::cli
