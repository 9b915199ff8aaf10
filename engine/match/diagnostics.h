#pragma once
// Diagnostics: every error and warning found while loading rule files, each with
// file:line:column (1-based; the column counts characters, not bytes), so ops can fix them all
// in one go. Used by `yuqing rules check`, `load_rule_set` and hot reload.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/text.h"

namespace yuqing::match {

enum class Severity : std::uint8_t { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string file;  // as given to the loader (e.g. "rules/brands/acme.yaml"); may be empty
  int line = 0;      // 1-based; 0 = the whole file
  int column = 0;    // 1-based; 0 = the whole line
  std::string message;

  // "file:line:column: error: message"
  std::string to_string() const;
};

struct Diagnostics {
  std::vector<Diagnostic> items;

  void error(std::string file, int line, int column, std::string message);
  void warning(std::string file, int line, int column, std::string message);
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool empty() const { return items.empty(); }

  // Items sorted by file, line, column (stable), one per line.
  std::string to_string() const;
  // {"errors":N,"warnings":N,"diagnostics":[{"severity":..,"file":..,"line":..,"column":..,"message":..}]}
  std::string to_json() const;
  void sort();
};

// JSON escaping and "did you mean" hints are the shared ones from engine/base/text.h.
using text::append_json_string;
using text::closest;
using text::edit_distance;

}  // namespace yuqing::match
