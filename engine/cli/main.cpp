// The `yuqing` executable: one binary, one subcommand per job.

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "engine/base/log.h"
#include "engine/cli/command.h"
#include "connectors/kafka/kafka_commands.h"
#include "engine/cli/config_command.h"
#include "engine/cli/query_command.h"
#include "engine/cli/report_command.h"
#include "engine/gen/gen_command.h"
#include "engine/match/rules_command.h"
#include "engine/parse/parse.h"
#include "engine/cli/run_command.h"
#include "engine/sentiment/sentiment_command.h"

namespace {
// The version, and the simdjson kernel this CPU gets: the same binary parses at different speeds
// on different CPUs (engine/parse picks the kernel at run time; yuqing_build_info says the same).
std::string version_text() {
  std::string kernels;
  for (auto k : yuqing::parse::available_kernels()) kernels += (kernels.empty() ? "" : ", ") + std::string(k);
  return "yuqing 0.1.0\nparse kernel: " + std::string(yuqing::parse::default_kernel()) + " (this CPU can run: " + kernels + ")";
}
}  // namespace

int main(int argc, char** argv) {
  using namespace yuqing;
  CLI::App app{"yuqing: real-time public-opinion (brand mention) monitoring engine"};
  // Logs go to stderr from the first line on (spdlog's own default logger writes to stdout, where
  // `gen` and `query` print their results); quiet until a command sets its own level.
  log::init("warn");
  app.set_version_flag("--version", version_text);  // computed only when asked
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::help);

  cli::CommandResult result;
  cli::register_run_command(app, result);
  gen::register_gen_command(app, result);
  cli::register_config_command(app, result);
  cli::register_query_command(app, result);
  cli::register_report_command(app, result);
  cli::register_state_command(app, result);
  match::register_rules_command(app, result);
  sentiment::register_sentiment_commands(app, result);
  kafka::register_kafka_commands(app, result);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and usage to stderr
    return cli::kExitUsage;
  }
  return result.exit_code;
}
