#include "engine/match/rules_command.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "engine/match/matcher.h"
#include "engine/match/rule_set.h"
#include "engine/parse/parse.h"

namespace yuqing::match {
namespace {

void print_diagnostics(const Diagnostics& d, std::ostream& err) {
  for (const Diagnostic& x : d.items) err << x.to_string() << '\n';
}

void append_hit(std::string& out, const RuleSet& rs, const TermHit& h, const Mention& m) {
  const std::string_view src = h.field == TextField::title ? m.title : m.text;
  out += "{\"term\":";
  append_json_string(out, rs.term(h.term).text);
  out += ",\"field\":";
  out += h.field == TextField::title ? "\"title\"" : "\"text\"";
  out += ",\"begin\":" + std::to_string(h.begin) + ",\"end\":" + std::to_string(h.end) + ",\"match\":";
  append_json_string(out, src.substr(h.begin, h.end - h.begin));
  out += '}';
}

std::string result_json(const Mention& m, const RuleSet& rs, const MatchResult& r) {
  std::string out = "{\"id\":";
  append_json_string(out, m.id);
  out += ",\"brands\":[";
  std::vector<std::string> all_aspects;
  for (std::size_t i = 0; i < r.brands.size(); ++i) {
    const BrandMatch& b = r.brands[i];
    if (i) out += ',';
    out += "{\"id\":";
    append_json_string(out, rs.rule(b.rule).id);
    out += ",\"terms\":[";
    bool first = true;
    for (const TermHit& h : r.hits_of(b)) {
      if (!first) out += ',';
      first = false;
      append_hit(out, rs, h, m);
    }
    out += "],\"aspects\":[";
    first = true;
    for (const AspectHit& a : r.aspects_of(b)) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, rs.aspect_name(a.aspect));
      if (std::find(all_aspects.begin(), all_aspects.end(), rs.aspect_name(a.aspect)) == all_aspects.end()) {
        all_aspects.push_back(rs.aspect_name(a.aspect));
      }
    }
    out += "]}";
  }
  out += "],\"aspects\":[";
  for (std::size_t i = 0; i < all_aspects.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, all_aspects[i]);
  }
  out += "]}";
  return out;
}

Result<RuleSetPtr, int> load_or_report(const std::string& dir, std::ostream& err) {
  auto rs = load_rule_set(dir);
  if (!rs) {
    print_diagnostics(rs.error(), err);
    err << "rules in '" << dir << "' have " << rs.error().error_count() << " error(s); nothing was matched\n";
    return Unexpected(cli::kExitFailure);
  }
  for (const Diagnostic& w : rs.value()->warnings().items) {
    if (w.message.find("lists no competitors") == std::string::npos) err << w.to_string() << '\n';
  }
  return std::move(rs.value());
}

// ---- rule-pack test cases ---------------------------------------------------------------

struct CaseMention {
  std::string id, text, title, lang, url, region, author_name, author_id;
  Platform platform = Platform::other;
  std::int64_t followers = 0;
  bool verified = false;
  Mention view() const {
    Mention m;
    m.id = id;
    m.platform = platform;
    m.text = text;
    m.title = title;
    m.lang = lang;
    m.url = url;
    m.region = region;
    m.author.name = author_name;
    m.author.id = author_id;
    m.author.followers = followers;
    m.author.verified = verified;
    return m;
  }
};

const std::vector<std::string> kCaseKeys = {"name", "text", "title", "platform", "lang", "url", "region",
                                            "author", "brands", "aspects"};

int run_cases(const std::string& dir, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  auto loaded = load_or_report(dir, err);
  if (!loaded) return loaded.error();
  const RuleSet& rs = *loaded.value();
  const fs::path tests = fs::path(dir) / "tests";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tests, ec)) {
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    err << tests.string() << ": no test case files (*.yaml) found\n";
    return cli::kExitFailure;
  }
  Matcher matcher;
  int passed = 0, failed = 0, invalid = 0;
  for (const fs::path& f : files) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(f.string());
    } catch (const YAML::Exception& e) {
      err << f.string() << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": error: not valid YAML: " << e.msg
          << '\n';
      ++invalid;
      continue;
    }
    const YAML::Node cases = root["cases"];
    if (!cases || !cases.IsSequence()) {
      err << f.string() << ":1:1: error: a test file needs a 'cases:' list\n";
      ++invalid;
      continue;
    }
    for (const YAML::Node& c : cases) {
      const std::string where = f.string() + ":" + std::to_string(c.Mark().line + 1) + ":" +
                                std::to_string(c.Mark().column + 1);
      if (!c.IsMap()) {
        err << where << ": error: each case must be a mapping with text and brands\n";
        ++invalid;
        continue;
      }
      bool bad = false;
      for (const auto& kv : c) {
        const std::string k = kv.first.Scalar();
        if (std::find(kCaseKeys.begin(), kCaseKeys.end(), k) == kCaseKeys.end()) {
          const std::string near = closest(k, kCaseKeys);
          err << f.string() << ":" << kv.first.Mark().line + 1 << ":" << kv.first.Mark().column + 1
              << ": error: unknown key '" << k << "'" << (near.empty() ? "" : "; did you mean '" + near + "'?") << '\n';
          bad = true;
        }
      }
      if (!c["text"] || !c["brands"]) {
        err << where << ": error: a case needs 'text' and 'brands' (brands: [] when none should match)\n";
        bad = true;
      }
      CaseMention cm;
      std::set<std::string> want, want_aspects;
      try {
        if (!bad) {
          cm.id = c["name"] ? c["name"].as<std::string>() : where;
          cm.text = c["text"].as<std::string>();
          if (c["title"]) cm.title = c["title"].as<std::string>();
          if (c["lang"]) cm.lang = c["lang"].as<std::string>();
          if (c["url"]) cm.url = c["url"].as<std::string>();
          if (c["region"]) cm.region = c["region"].as<std::string>();
          if (c["platform"]) {
            const auto p = platform_from_name(c["platform"].as<std::string>());
            if (!p) {
              err << where << ": error: unknown platform '" << c["platform"].as<std::string>() << "'\n";
              bad = true;
            } else {
              cm.platform = *p;
            }
          }
          if (const YAML::Node a = c["author"]) {
            if (a["name"]) cm.author_name = a["name"].as<std::string>();
            if (a["id"]) cm.author_id = a["id"].as<std::string>();
            if (a["followers"]) cm.followers = a["followers"].as<std::int64_t>();
            if (a["verified"]) cm.verified = a["verified"].as<bool>();
          }
          for (const auto& b : c["brands"]) want.insert(b.as<std::string>());
          if (c["aspects"]) {
            for (const auto& a : c["aspects"]) want_aspects.insert(a.as<std::string>());
          }
          for (const std::string& b : want) {
            if (!rs.find_rule(b)) {
              err << where << ": error: expected brand '" << b << "' is not a rule id\n";
              bad = true;
            }
          }
        }
      } catch (const YAML::Exception& e) {
        err << where << ": error: " << e.msg << '\n';
        bad = true;
      }
      if (bad) {
        ++invalid;
        continue;
      }
      const Mention m = cm.view();
      const MatchResult& r = matcher.match(m, rs);
      std::set<std::string> got, got_aspects;
      for (const BrandMatch& b : r.brands) {
        got.insert(rs.rule(b.rule).id);
        for (const AspectHit& a : r.aspects_of(b)) got_aspects.insert(rs.aspect_name(a.aspect));
      }
      const bool aspects_ok = std::includes(got_aspects.begin(), got_aspects.end(), want_aspects.begin(),
                                            want_aspects.end());
      if (got == want && aspects_ok) {
        ++passed;
        continue;
      }
      ++failed;
      auto join = [](const std::set<std::string>& s) {
        std::string o = "[";
        for (const auto& x : s) o += (o.size() > 1 ? ", " : "") + x;
        return o + "]";
      };
      err << where << ": FAIL '" << cm.id << "': expected brands " << join(want) << ", got " << join(got);
      if (!aspects_ok) err << "; expected aspects " << join(want_aspects) << ", got " << join(got_aspects);
      err << '\n';
      std::set<std::string> involved = want;
      involved.insert(got.begin(), got.end());
      for (const std::string& id : involved) {
        if (const auto idx = rs.find_rule(id)) {
          std::istringstream lines(matcher.explain(m, rs, *idx));
          for (std::string line; std::getline(lines, line);) err << "    " << line << '\n';
        }
      }
    }
  }
  out << "rule-pack cases: " << passed << " passed, " << failed << " failed, " << invalid << " invalid\n";
  return failed == 0 && invalid == 0 ? cli::kExitOk : cli::kExitFailure;
}

}  // namespace

int run_rules_check(const std::string& dir, bool json, std::ostream& out, std::ostream& err) {
  auto rs = load_rule_set(dir);
  const Diagnostics& d = rs ? rs.value()->warnings() : rs.error();
  if (json) {
    out << d.to_json() << '\n';
  } else {
    print_diagnostics(d, err);
    if (rs) {
      std::size_t enabled = 0;
      for (std::size_t i = 0; i < rs.value()->rule_count(); ++i) enabled += rs.value()->rule_enabled(i) ? 1 : 0;
      out << "rules OK: " << rs.value()->rule_count() << " rule(s) (" << enabled << " enabled), "
          << rs.value()->term_count() << " terms, " << d.warning_count() << " warning(s); version "
          << rs.value()->version() << '\n';
    } else {
      out << "rules have " << d.error_count() << " error(s) and " << d.warning_count() << " warning(s)\n";
    }
  }
  return rs ? cli::kExitOk : cli::kExitFailure;
}

int run_rules_test(const RulesTestOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.cases) return run_cases(o.dir, out, err);
  auto loaded = load_or_report(o.dir, err);
  if (!loaded) return loaded.error();
  const RuleSet& rs = *loaded.value();
  std::optional<std::uint32_t> only;
  if (!o.rule.empty()) {
    only = rs.find_rule(o.rule);
    if (!only) {
      err << "no rule with id '" << o.rule << "'\n";
      return cli::kExitUsage;
    }
  }
  Matcher matcher;
  auto emit = [&](const Mention& m) {
    const MatchResult& r = matcher.match(m, rs);
    out << result_json(m, rs, r) << '\n';
    if (o.explain) {
      for (std::uint32_t i = 0; i < rs.rule_count(); ++i) {
        if (only && *only != i) continue;
        if (!only && !rs.rule_enabled(i)) continue;
        std::istringstream lines(matcher.explain(m, rs, i));
        for (std::string line; std::getline(lines, line);) out << "  " << line << '\n';
      }
    }
  };
  if (o.has_text) {
    Mention m;
    m.id = "text";
    m.text = o.text;
    m.title = o.title;
    emit(m);
    return cli::kExitOk;
  }
  parse::MentionParser parser;
  std::string line;
  std::size_t n = 0;
  int rc = cli::kExitOk;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    auto m = parser.parse(line);
    if (!m) {
      err << "line " << n << ": rejected (" << parse::reject_name(m.error().reason) << "): " << m.error().detail << '\n';
      rc = cli::kExitFailure;
      continue;
    }
    emit(m.value());
  }
  return rc;
}

void register_rules_command(CLI::App& root, cli::CommandResult& result) {
  CLI::App* rules = root.add_subcommand("rules", "Check keyword rule files and test them on mentions");
  rules->require_subcommand(1);

  auto dir_check = std::make_shared<std::string>("rules");
  auto json = std::make_shared<bool>(false);
  CLI::App* check = rules->add_subcommand("check", "Validate every rule file; print all errors and warnings "
                                                   "(file:line:column). Exit 0 when clean, 1 on errors");
  check->add_option("dir", *dir_check, "Rules directory (brands/*.yaml inside, or *.yaml)")->capture_default_str();
  check->add_flag("--json", *json, "Print the diagnostics as one JSON object on stdout");
  check->callback([&result, dir_check, json] {
    result.exit_code = run_rules_check(*dir_check, *json, std::cout, std::cerr);
  });

  auto opts = std::make_shared<RulesTestOptions>();
  CLI::App* test = rules->add_subcommand(
      "test", "Match mentions (JSON lines on stdin, or --text) and print one JSON line per mention; "
              "--cases runs the rule pack's test cases (DIR/tests/*.yaml)");
  test->add_option("dir", opts->dir, "Rules directory")->capture_default_str();
  CLI::Option* text = test->add_option("--text", opts->text, "Test this text instead of reading stdin");
  test->add_option("--title", opts->title, "A title to go with --text")->needs(text);
  test->add_flag("--explain", opts->explain, "Show, per rule, which clauses passed or failed and why");
  test->add_option("--rule", opts->rule, "With --explain: only this rule id");
  test->add_flag("--cases", opts->cases, "Run the rule pack's test cases and exit 1 on any failure")->excludes(text);
  test->callback([&result, opts, text] {
    opts->has_text = text->count() > 0;
    result.exit_code = run_rules_test(*opts, std::cin, std::cout, std::cerr);
  });
}

}  // namespace yuqing::match
