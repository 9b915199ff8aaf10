// Reading rule files (YAML) into RuleSpecs, with every problem reported as file:line:column.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/match/rule_set.h"

namespace yuqing::match {
namespace {

const std::vector<std::string> kKeys = {"id", "name", "lang", "query", "competitors", "aspects",
                                        "tags", "enabled", "description", "lexicon"};

// Byte position -> 1-based line and character column.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  SourcePos at(std::size_t pos) const {
    pos = std::min(pos, text_.size());
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), pos);
    const std::size_t line = static_cast<std::size_t>(it - starts_.begin());
    const std::size_t start = starts_[line - 1];
    int col = 1;
    for (std::size_t i = start; i < pos; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xc0) != 0x80) ++col;
    }
    return {static_cast<int>(line), col};
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

SourcePos pos_of(const YAML::Node& n, const LineIndex& idx) {
  const YAML::Mark m = n.Mark();
  if (m.pos < 0) return {m.line + 1, m.column + 1};
  return idx.at(static_cast<std::size_t>(m.pos));
}

// Maps every byte offset of a scalar's value to its position in the raw file: walk the raw
// text from the scalar's start and align it greedily with the value, skipping quotes,
// escapes, block headers and indentation.
std::vector<SourcePos> map_scalar(std::string_view raw, std::size_t start, std::string_view value,
                                  const LineIndex& idx) {
  std::vector<SourcePos> out(value.size() + 1);
  std::size_t p = start;
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  for (std::size_t k = 0; k < value.size(); ++k) {
    const char vc = value[k];
    std::size_t q = p;
    const std::size_t limit = std::min(raw.size(), p + 24);
    while (q < limit && raw[q] != vc && !(is_ws(vc) && is_ws(raw[q]))) ++q;
    if (q < limit) {
      out[k] = idx.at(q);
      p = q + 1;
      if (is_ws(vc)) {
        while (p < raw.size() && is_ws(raw[p]) && !(k + 1 < value.size() && raw[p] == value[k + 1])) ++p;
      }
    } else {
      out[k] = idx.at(p);
    }
  }
  out[value.size()] = idx.at(p);
  return out;
}

std::string type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Null: return "empty";
    default: return "undefined";
  }
}

struct Reader {
  const std::string& file;
  std::string_view raw;
  const LineIndex& idx;
  Diagnostics& diags;

  void err(const YAML::Node& n, const std::string& msg) {
    const SourcePos p = pos_of(n, idx);
    diags.error(file, p.line, p.column, msg);
  }
  void warn(const YAML::Node& n, const std::string& msg) {
    const SourcePos p = pos_of(n, idx);
    diags.warning(file, p.line, p.column, msg);
  }

  bool string_value(const YAML::Node& n, const std::string& key, std::string& out) {
    if (!n.IsScalar()) {
      err(n, "'" + key + "' must be a text value, not " + type_name(n));
      return false;
    }
    out = n.Scalar();
    return true;
  }

  bool string_list(const YAML::Node& n, const std::string& key, std::vector<std::string>& out,
                   std::vector<SourcePos>* pos) {
    if (n.IsNull()) return true;
    if (n.IsScalar()) {  // a single value is accepted as a one-item list
      out.push_back(n.Scalar());
      if (pos) pos->push_back(pos_of(n, idx));
      return true;
    }
    if (!n.IsSequence()) {
      err(n, "'" + key + "' must be a list, for example [a, b]");
      return false;
    }
    bool ok = true;
    for (const YAML::Node& item : n) {
      if (!item.IsScalar()) {
        err(item, "each item of '" + key + "' must be a text value, not " + type_name(item));
        ok = false;
        continue;
      }
      out.push_back(item.Scalar());
      if (pos) pos->push_back(pos_of(item, idx));
    }
    return ok;
  }
};

}  // namespace

std::optional<RuleSpec> read_rule_text(std::string_view text, const std::string& file, Diagnostics& diags) {
  const LineIndex idx(text);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const SourcePos p = e.mark.pos >= 0 ? idx.at(static_cast<std::size_t>(e.mark.pos))
                                        : SourcePos{e.mark.line + 1, e.mark.column + 1};
    diags.error(file, p.line, p.column, "this is not valid YAML: " + e.msg);
    return std::nullopt;
  }
  Reader r{file, text, idx, diags};
  if (!root.IsMap()) {
    diags.error(file, 1, 1, "a rule file must be a mapping of keys (id, name, query, ...), not " + type_name(root));
    return std::nullopt;
  }
  const std::size_t errors_before = diags.error_count();
  RuleSpec spec;
  spec.file = file;
  std::set<std::string> seen;
  bool has_id = false, has_query = false;
  for (const auto& kv : root) {
    const YAML::Node& key = kv.first;
    const YAML::Node& val = kv.second;
    const std::string k = key.IsScalar() ? key.Scalar() : std::string();
    if (!seen.insert(k).second) {
      r.err(key, "the key '" + k + "' appears twice in this file; keep one");
      continue;
    }
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
      std::string msg = "unknown key '" + k + "'";
      const std::string c = closest(k, kKeys);
      if (!c.empty()) msg += "; did you mean '" + c + "'?";
      msg += " Valid keys: id, name, lang, query, competitors, aspects, tags, enabled, description, lexicon";
      r.err(key, msg);
      continue;
    }
    if (k == "id") {
      has_id = true;
      spec.pos = pos_of(key, idx);
      if (r.string_value(val, k, spec.id)) {
        const bool ok = !spec.id.empty() && std::all_of(spec.id.begin(), spec.id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
        if (!ok) r.err(val, "the id '" + spec.id + "' may only use lower-case letters a-z, digits and '-'");
      }
    } else if (k == "name") {
      r.string_value(val, k, spec.name);
    } else if (k == "lang") {
      if (r.string_value(val, k, spec.lang)) {
        const bool ok = spec.lang.size() >= 2 && spec.lang.size() <= 8 &&
                        std::all_of(spec.lang.begin(), spec.lang.end(), [](char c) {
                          return (c >= 'a' && c <= 'z') || c == '-';
                        });
        if (!ok) r.err(val, "lang must be a language code such as zh or en, not '" + spec.lang + "'");
      }
    } else if (k == "query") {
      has_query = true;
      if (r.string_value(val, k, spec.query)) {
        spec.query_pos = pos_of(val, idx);
        const YAML::Mark m = val.Mark();
        if (m.pos >= 0) spec.query_offset_pos = map_scalar(text, static_cast<std::size_t>(m.pos), spec.query, idx);
      }
    } else if (k == "competitors") {
      r.string_list(val, k, spec.competitors, &spec.competitor_pos);
    } else if (k == "tags") {
      r.string_list(val, k, spec.tags, nullptr);
    } else if (k == "description") {
      std::string ignored;
      r.string_value(val, k, ignored);
    } else if (k == "enabled") {
      bool b = true;
      if (!val.IsScalar() || !YAML::convert<bool>::decode(val, b)) {
        r.err(val, "enabled must be true or false");
      }
      spec.enabled = b;
    } else if (k == "aspects") {
      if (val.IsNull()) continue;
      if (!val.IsMap()) {
        r.err(val, "aspects must be a mapping of aspect name to keywords, for example "
                   "{ battery: [battery, 续航] }");
        continue;
      }
      for (const auto& a : val) {
        AspectSpec as;
        as.name = a.first.IsScalar() ? a.first.Scalar() : std::string();
        as.pos = pos_of(a.first, idx);
        if (as.name.empty()) {
          r.err(a.first, "an aspect needs a name, for example battery");
          continue;
        }
        r.string_list(a.second, "aspects." + as.name, as.keywords, &as.keyword_pos);
        if (as.keywords.empty()) r.warn(a.first, "aspect '" + as.name + "' has no keywords");
        spec.aspects.push_back(std::move(as));
      }
    } else if (k == "lexicon") {
      if (val.IsNull()) continue;
      if (!val.IsMap()) {
        r.err(val, "lexicon must be a mapping of term to weight, for example { 给力: 2.0 }");
        continue;
      }
      for (const auto& e : val) {
        double w = 0;
        if (!e.second.IsScalar() || !YAML::convert<double>::decode(e.second, w)) {
          r.err(e.second, "the weight of lexicon term '" + e.first.Scalar() + "' must be a number");
          continue;
        }
        spec.lexicon[e.first.Scalar()] = w;
      }
    }
  }
  if (!has_id) diags.error(file, 1, 1, "the rule has no 'id' (add, for example, id: acme)");
  if (!has_query) {
    diags.error(file, spec.pos.line ? spec.pos.line : 1, spec.pos.line ? spec.pos.column : 1,
                "the rule has no 'query' (add, for example, query: '\"acme phone\" OR @acme')");
  }
  if (spec.name.empty()) spec.name = spec.id;
  if (diags.error_count() > errors_before) return std::nullopt;
  return spec;
}

std::vector<RuleSpec> read_rule_files(const std::filesystem::path& dir, Diagnostics& diags,
                                      std::vector<LiteralGroup>* default_aspects) {
  namespace fs = std::filesystem;
  std::vector<RuleSpec> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    diags.error(dir.string(), 0, 0, "the rules directory does not exist or is not a directory");
    return out;
  }
  fs::path brands = dir / "brands";
  if (!fs::is_directory(brands, ec)) brands = dir;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(brands, ec)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) diags.warning(brands.string(), 0, 0, "no rule files (*.yaml) found");
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      diags.error(f.string(), 0, 0, "cannot read this file");
      continue;
    }
    auto spec = read_rule_text(ss.str(), f.string(), diags);
    if (!spec) continue;
    if (spec->id != f.stem().string()) {
      diags.error(f.string(), spec->pos.line, spec->pos.column,
                  "the id '" + spec->id + "' must equal the file name '" + f.stem().string() +
                      "' (rename the file or change the id)");
      continue;
    }
    out.push_back(std::move(*spec));
  }
  const fs::path tsv = dir / "lexicons" / "aspects.tsv";
  if (default_aspects != nullptr && fs::is_regular_file(tsv, ec)) {
    std::ifstream in(tsv);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      const auto tab = line.find('\t');
      if (tab == std::string::npos || tab == 0 || tab + 1 >= line.size()) {
        diags.error(tsv.string(), n, 1, "expected 'aspect<TAB>keyword'");
        continue;
      }
      const std::string name = line.substr(0, tab);
      std::string kw = line.substr(tab + 1);
      if (const auto t2 = kw.find('\t'); t2 != std::string::npos) kw = kw.substr(0, t2);
      auto it = std::find_if(default_aspects->begin(), default_aspects->end(),
                             [&](const LiteralGroup& g) { return g.id == name; });
      if (it == default_aspects->end()) {
        default_aspects->push_back({name, {}});
        it = default_aspects->end() - 1;
      }
      it->terms.push_back(kw);
    }
  }
  return out;
}

}  // namespace yuqing::match
