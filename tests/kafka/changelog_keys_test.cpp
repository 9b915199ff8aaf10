// Which matches partition each kind of aggregate state belongs to (connectors/kafka/changelog.h):
// the changelog logs, wipes and restores exactly these keys, so a key put in the wrong
// partition would move with the wrong brand, and an instance-wide key put in any partition
// would be overwritten by another instance's copy.

#include <gtest/gtest.h>

#include <string>

#include "connectors/kafka/changelog.h"
#include "connectors/kafka/kafka_source.h"

namespace yuqing::kafka {
namespace {

constexpr std::int32_t kPartitions = 6;
constexpr std::string_view kTopic = "yuqing.matches";

std::optional<std::int32_t> of(std::string_view family, const std::string& key) {
  return state_partition(family, key, kTopic, kPartitions);
}

TEST(ChangelogKeys, BrandStateGoesWithTheBrandsPartition) {
  for (const std::string brand : {"lantu-auto", "acme", "a:b"}) {
    const auto p = partition_of_key(brand, kPartitions);
    ASSERT_GE(p, 0);
    EXPECT_EQ(of("buckets", brand + std::string(1, '\0') + "m\x01\x02"), p) << brand;
    EXPECT_EQ(of("top_mentions", brand + std::string(1, '\0') + "\x00\x03"), p) << brand;
    EXPECT_EQ(of("alerts", "i/" + brand + "\x1f" + "negative_volume_spike"), p) << brand;
    EXPECT_EQ(of("alerts", "h/" + brand + ":negative_volume_spike:1793491260000"), p) << brand;
  }
}

TEST(ChangelogKeys, PartitionBookkeepingGoesWithItsPartition) {
  EXPECT_EQ(of("offsets", "kafka:yuqing.matches/4"), 4);
  EXPECT_EQ(of("default", "dedup:yuqing.matches/2/5"), 2);  // marks of matches partition 2
  EXPECT_EQ(of("default", "changelog:yuqing.matches/3"), 3);
  // Another topic's, or out of range: not ours.
  EXPECT_EQ(of("offsets", "kafka:mentions/4"), std::nullopt);
  EXPECT_EQ(of("offsets", "kafka:yuqing.matches/6"), std::nullopt);
  EXPECT_EQ(of("offsets", "kafka:yuqing.matches.other/1"), std::nullopt);
  EXPECT_EQ(of("default", "dedup:yuqing.matches/x/1"), std::nullopt);
}

TEST(ChangelogKeys, InstanceWideStateNeverMoves) {
  EXPECT_EQ(of("buckets", std::string("\0meta/watermark", 15)), std::nullopt);
  EXPECT_EQ(of("buckets", std::string("\0meta/retention_day", 19)), std::nullopt);
  EXPECT_EQ(of("default", "author_hash_key"), std::nullopt);
  EXPECT_EQ(of("alerts", "a/lantu-auto:negative_volume_spike:1"), std::nullopt);  // who acknowledged
  EXPECT_EQ(of("outbox", "p/slack/00000001"), std::nullopt);
  EXPECT_EQ(of("buckets", "no-separator"), std::nullopt);
  EXPECT_EQ(state_partition("buckets", std::string("acme\0x", 6), kTopic, 0), std::nullopt);  // count unknown
}

}  // namespace
}  // namespace yuqing::kafka
