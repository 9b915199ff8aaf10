#pragma once
// Logging: one line per event to stderr, level configurable. Thin wrapper over spdlog so the
// rest of the engine names one logger and one place sets its format.

#include <spdlog/spdlog.h>

#include <string_view>

namespace yuqing::log {

// Sets up the stderr logger (idempotent). level: trace, debug, info, warn, error, off.
// Returns false when the level name is unknown.
bool init(std::string_view level = "info");

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::trace;
using spdlog::warn;

}  // namespace yuqing::log
