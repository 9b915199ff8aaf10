#include "engine/base/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace yuqing::log {

bool init(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  // spdlog maps unknown names to "off"; only accept "off" when it was asked for.
  if (lvl == spdlog::level::off && level != "off") return false;
  static bool installed = false;
  if (!installed) {
    auto logger = spdlog::stderr_logger_mt("yuqing");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    spdlog::set_default_logger(logger);
    installed = true;
  }
  spdlog::set_level(lvl);
  return true;
}

}  // namespace yuqing::log
