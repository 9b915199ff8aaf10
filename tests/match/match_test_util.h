#pragma once
// Helpers shared by the matcher tests: build a RuleSet from (id, query) pairs and a Mention
// that owns its strings.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/match/matcher.h"
#include "engine/match/rule_set.h"

namespace yuqing::match::testing {

struct OwnedMention {
  std::string id = "m1";
  std::string text;
  std::string title;
  std::string lang;
  std::string url;
  std::string region;
  std::string author_name;
  std::string author_id;
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

inline RuleSpec spec(std::string id, std::string query) {
  RuleSpec s;
  s.id = std::move(id);
  s.name = s.id;
  s.query = std::move(query);
  s.file = "test.yaml";
  s.competitors = {"other"};
  return s;
}

inline RuleSetPtr compile_or_die(std::vector<RuleSpec> specs, const RuleSetOptions& options = {}) {
  auto rs = compile_rule_set(std::move(specs), options);
  if (!rs) {
    ADD_FAILURE() << rs.error().to_string();
    return nullptr;
  }
  return rs.value();
}

}  // namespace yuqing::match::testing
