#pragma once
// Which aggregate instance serves each matches partition, for the HTTP API of the others
// (docs/scaling.md, "The HTTP API"): an instance asked about a brand it does not own answers
// 307 Temporary Redirect to the owner's address.
//
// Owner lookup from the group assignment, as the members announce it: after each assignment
// an aggregate instance produces one record per assigned partition to the hand-over topic
// (kafka.handover_topic), key "<group>/<matches topic>/<p>/owner", value "<http address>".
// A key always lands on the same hand-over partition, so the latest record of a key is the
// latest owner. Every instance tails the topic in a background thread. (The broker's
// DescribeGroups answer, with each member's client.id and assignment, would serve too; the
// announcements work on any broker, including `yuqing dev-broker`, whose mock has no
// ListGroups/DescribeGroups.)
//
// Between a rebalance and the new owner's announcement the directory may name the previous
// owner; that instance no longer owns the brand and answers 421 to a redirected request (it
// never redirects a request that was redirected to it), so a client retries.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/kafka/kafka.h"
#include "engine/base/result.h"

namespace yuqing::kafka {

class OwnerDirectory {
 public:
  // options.group, options.matches_topic and options.handover_topic name the records;
  // self_address is this instance's HTTP address as others reach it (HOST:PORT).
  static Result<std::unique_ptr<OwnerDirectory>, std::string> open(const KafkaOptions& options,
                                                                   std::string self_address);
  ~OwnerDirectory();
  OwnerDirectory(const OwnerDirectory&) = delete;
  OwnerDirectory& operator=(const OwnerDirectory&) = delete;

  // After an assignment (the Kafka source's poll thread): these partitions are ours now.
  Status<std::string> announce(const std::vector<std::int32_t>& partitions);
  // Any thread: the address last announced for partition p ("" when none was seen yet).
  std::string owner(std::int32_t p) const;
  const std::string& self() const { return self_; }

 private:
  OwnerDirectory() = default;
  void tail();
  std::string key(std::int32_t p) const;

  KafkaOptions options_;
  std::string self_;
  std::unique_ptr<Producer> producer_;
  Handle reader_;
  mutable std::mutex mu_;
  std::map<std::int32_t, std::string> owners_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace yuqing::kafka
