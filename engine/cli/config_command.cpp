#include "engine/cli/config_command.h"

#include <iostream>

#include "engine/config/config.h"

namespace yuqing::cli {

void register_config_command(CLI::App& root, CommandResult& result) {
  auto* cmd = root.add_subcommand("config", "Check an engine config file, or print the option reference.");
  cmd->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto* check = cmd->add_subcommand("check", "Validate a YAML config file; prints every error as FILE:LINE:COL.");
  check->add_option("FILE", *file, "Config file")->required();
  check->callback([file, &result] {
    auto cfg = config::load_file(*file);
    if (!cfg) {
      for (const auto& e : cfg.error()) std::cerr << e.message << "\n";
      result.exit_code = kExitFailure;
      return;
    }
    std::cout << *file << ": ok\n";
  });

  auto* reference = cmd->add_subcommand("reference", "Print every option as a Markdown table (docs/configuration.md).");
  reference->callback([] {
    std::cout << "| key | type | default | reloadable | description |\n|---|---|---|---|---|\n";
    for (const auto& o : config::options()) {
      std::cout << "| `" << o.key << "` | " << o.type << " | " << o.default_value << " | "
                << (o.reloadable ? "yes" : "no") << " | " << o.description << " |\n";
    }
  });
}

}  // namespace yuqing::cli
