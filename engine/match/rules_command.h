#pragma once
// `yuqing rules check [DIR]` and `yuqing rules test [DIR]` (see docs/query-language.md).
//
//   rules check [DIR] [--json]          every error and warning as file:line:column;
//                                       exit 0 clean (warnings allowed), 1 on errors
//   rules test [DIR] [--text T] [--title T] [--explain] [--rule ID]
//                                       mentions as JSON lines on stdin (or --text), one JSON
//                                       line out per mention; --explain adds, per rule, which
//                                       clauses passed or failed and why (plain text lines)
//   rules test [DIR] --cases            runs DIR/tests/*.yaml (mention in, expected brands
//                                       out); exit 1 on any failure

#include <iosfwd>
#include <string>

#include "engine/cli/command.h"

namespace yuqing::match {

void register_rules_command(CLI::App& root, cli::CommandResult& result);

struct RulesTestOptions {
  std::string dir = "rules";
  std::string text;   // when set, test this text instead of reading stdin
  std::string title;
  bool has_text = false;
  bool explain = false;
  std::string rule;   // --explain only this rule id
  bool cases = false;
};

// The commands' bodies, callable from tests. They return the exit code.
int run_rules_check(const std::string& dir, bool json, std::ostream& out, std::ostream& err);
int run_rules_test(const RulesTestOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace yuqing::match
