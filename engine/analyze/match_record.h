#pragma once
// The matches topic's record: one per (mention, matched brand), written by the match role and
// read by the aggregate role (docs/scaling.md). JSON, one object per Kafka message value, keyed
// by brand id; documented by schemas/match.schema.json. Version 1:
//
//   {"v":1,"brand":"lantu-auto","seq":0,"mention":"weibo:1","src":{"p":3,"o":1234},
//    "t":1762000000000,"platform":"weibo","label":-1,"score":-0.62,"reach":1234,
//    "followers":1200,"verified":false,"author":"9f0c...","story":"1a2b...","repost":false,
//    "aspects":["safety"],"neg_aspects":["safety"],"crisis":["safety"],
//    "url":"https://...","text":"<first 280 bytes>","author_name":"..."}
//
// Aspects and crisis categories travel by name, so the two roles need not share a bit
// layout; hashes travel as 16 hex digits (64-bit values do not survive JSON numbers in most
// readers); the score is the float's shortest round-trip text, so windows built from decoded
// records equal windows built in-process. `src` is where the mention was read from the
// mentions topic and `seq` the brand's place among its brands: (src.p, src.o, seq) identifies
// a record, which lets the aggregate role drop replays (see AggregateStage).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/analyze/brand_match.h"
#include "engine/base/result.h"

namespace yuqing::analyze {

inline constexpr int kMatchRecordVersion = 1;

// Where a mention was read from (mentions topic partition and offset; -1/0 when not Kafka).
struct SourcePosition {
  std::int32_t partition = -1;
  std::uint64_t offset = 0;
};

// Appends the record of `m` (about brand `brand_id`; aspect bits per `layout`) to `out`.
void encode_match(const BrandMatch& m, std::string_view brand_id, const AspectLayout& layout, SourcePosition src,
                  std::string& out);

// A decoded record; owns its strings.
struct MatchRecord {
  int version = 0;
  std::string brand;
  std::uint32_t seq = 0;
  SourcePosition src;
  std::string mention_id, url, text, author_name;
  window::WindowUpdate update;  // brand and aspect masks unset: see to_brand_match()
  std::vector<std::string> aspects, negative_aspects;
  std::int64_t followers = 0;
  bool verified = false;
};

// Reads one record. The error is a sentence naming the field (the record is dead-lettered).
class MatchDecoder {
 public:
  MatchDecoder();
  ~MatchDecoder();
  MatchDecoder(const MatchDecoder&) = delete;
  MatchDecoder& operator=(const MatchDecoder&) = delete;
  Status<std::string> decode(std::string_view json, MatchRecord& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The aggregate half's view of a decoded record: brand = `rule`, aspect bits per `layout`
// (names it does not know are left out). Views point into `record`.
BrandMatch to_brand_match(const MatchRecord& record, std::uint32_t rule, const AspectLayout& layout);

}  // namespace yuqing::analyze
