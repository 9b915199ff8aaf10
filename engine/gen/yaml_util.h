#pragma once
// Internal: YAML loading with file:line:column messages, shared by brands.cpp and
// scenario.cpp. yaml-cpp reports errors by exception; they stop here.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace yuqing::gen::detail {

inline Result<YAML::Node, std::string> load_yaml(const std::filesystem::path& file) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    return Unexpected{file.string() + ": cannot open the file"};
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    const int col = e.mark.is_null() ? 1 : e.mark.column + 1;
    return Unexpected{file.string() + ":" + std::to_string(line) + ":" + std::to_string(col) +
                      ": " + e.msg};
  }
}

// Formats "file:line:column: message" for a node (1-based; the root's position when the
// node has none, e.g. a missing key).
struct YamlPlace {
  std::string file;
  YAML::Node root;

  std::string at(const YAML::Node& node, const std::string& message) const {
    YAML::Mark m = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
    if (m.is_null() && root.IsDefined()) m = root.Mark();
    const int line = m.is_null() ? 1 : m.line + 1;
    const int col = m.is_null() ? 1 : m.column + 1;
    return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
  }
};

// Levenshtein distance in bytes; small strings only (config keys).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

// The allowed key closest to `key` (the first of equals; allowed must not be empty).
inline std::string_view closest_key(std::string_view key, const std::vector<std::string_view>& allowed) {
  std::string_view best = allowed.front();
  std::size_t best_d = edit_distance(key, best);
  for (auto k : allowed) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_d) {
      best = k;
      best_d = d;
    }
  }
  return best;
}

}  // namespace yuqing::gen::detail
