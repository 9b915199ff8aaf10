#include "engine/match/diagnostics.h"

#include <algorithm>
#include <cstdio>

namespace yuqing::match {

std::string Diagnostic::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += severity == Severity::error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

void Diagnostics::error(std::string file, int line, int column, std::string message) {
  items.push_back({Severity::error, std::move(file), line, column, std::move(message)});
}

void Diagnostics::warning(std::string file, int line, int column, std::string message) {
  items.push_back({Severity::warning, std::move(file), line, column, std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items.insert(items.end(), other.items.begin(), other.items.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items.begin(), items.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const { return items.size() - error_count(); }

void Diagnostics::sort() {
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

std::string Diagnostics::to_string() const {
  std::string out;
  for (const Diagnostic& d : items) {
    out += d.to_string();
    out += '\n';
  }
  return out;
}

std::string Diagnostics::to_json() const {
  std::string out = "{\"errors\":" + std::to_string(error_count()) +
                    ",\"warnings\":" + std::to_string(warning_count()) + ",\"diagnostics\":[";
  bool first = true;
  for (const Diagnostic& d : items) {
    if (!first) out += ',';
    first = false;
    out += "{\"severity\":";
    out += d.severity == Severity::error ? "\"error\"" : "\"warning\"";
    out += ",\"file\":";
    append_json_string(out, d.file);
    out += ",\"line\":" + std::to_string(d.line) + ",\"column\":" + std::to_string(d.column);
    out += ",\"message\":";
    append_json_string(out, d.message);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace yuqing::match
