#include "engine/analyze/bundle.h"

namespace yuqing::analyze {

Result<std::shared_ptr<const RulesBundle>, std::vector<std::string>> load_bundle(const std::filesystem::path& dir) {
  std::vector<std::string> errors;
  auto bundle = std::make_shared<RulesBundle>();
  auto rules = match::load_rule_set(dir);
  if (!rules) {
    for (const auto& d : rules.error().items) {
      if (d.severity == match::Severity::error) errors.push_back(d.to_string());
    }
  } else {
    bundle->rules = *rules;
    for (const auto& d : bundle->rules->warnings().items) bundle->warnings.push_back(d.to_string());
  }
  auto lexicon = sentiment::load_lexicon(dir);
  if (!lexicon) {
    errors.insert(errors.end(), lexicon.error().begin(), lexicon.error().end());
  } else {
    bundle->lexicon = *lexicon;
  }
  auto policy = alert::load_policy(dir / "alerts.yaml");
  if (!policy) {
    errors.insert(errors.end(), policy.error().begin(), policy.error().end());
  } else {
    bundle->policy = *policy;
  }
  if (!errors.empty()) return Unexpected{std::move(errors)};
  for (std::size_t r = 0; r < bundle->rules->rule_count(); ++r) {
    bundle->overrides.push_back(sentiment::BrandOverrides::build(*bundle->lexicon, bundle->rules->rule(r).lexicon));
  }
  return std::shared_ptr<const RulesBundle>(bundle);
}

}  // namespace yuqing::analyze
