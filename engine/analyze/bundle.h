#pragma once
// RulesBundle: everything ops edit under rules/ that the running engine uses, loaded and
// validated together and hot-reloaded as one unit: a bad file anywhere rejects the whole
// reload and the previous bundle keeps running.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/alert/policy.h"
#include "engine/base/result.h"
#include "engine/match/rule_set.h"
#include "engine/sentiment/sentiment.h"

namespace yuqing::analyze {

struct RulesBundle {
  match::RuleSetPtr rules;
  sentiment::LexiconPtr lexicon;
  std::shared_ptr<const alert::Policy> policy;
  // Per-brand sentiment overrides (the brand files' `lexicon:` maps), indexed like rules.
  std::vector<sentiment::BrandOverrides> overrides;
  std::vector<std::string> warnings;
};

// Loads rules_dir/brands, rules_dir/lexicons and rules_dir/alerts.yaml. Errors are
// "file:line:col: message" lines from every part.
Result<std::shared_ptr<const RulesBundle>, std::vector<std::string>> load_bundle(const std::filesystem::path& rules_dir);

}  // namespace yuqing::analyze
