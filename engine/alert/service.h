#pragma once
// AlertService: the stateful side of alerting inside the engine.
//
// - Feeds the Evaluator: negative mentions as they are processed (influencer detector) and,
//   when the event-time watermark crosses minute boundaries, every window detector.
// - Turns incident changes into Alert records (reason in the brand's language, metrics,
//   crisis terms) and writes them, the incident state and the alert history INTO THE BATCH
//   being committed, together with one outbox entry per routed sink. So an alert change is
//   committed atomically with the state that caused it, survives kill -9, and keeps its id.
// - Serves GET /api/v1/alerts?brand=&since= and POST /api/v1/alerts/{id}/ack (bearer token).
//
// Column family `alerts`: "i/<brand>\x1f<detector>" incident state, "h/<id>" latest alert JSON,
// "a/<id>" acknowledgement.
//
// Threading: on_negative_mention() and on_batch_commit() run on the pipeline worker thread.
// HTTP handlers read RocksDB; an acknowledgement is queued (one mutex, taken per batch by the
// worker) and applied at the next batch, and its record is written at once.

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/alert/alert.h"
#include "engine/alert/evaluator.h"
#include "engine/alert/policy.h"
#include "engine/base/result.h"
#include "engine/state/state.h"

namespace yuqing::http {
class Server;
}
namespace yuqing::alert_sinks {
class Outbox;
}

namespace yuqing::alert {

inline constexpr std::string_view kAlertsColumnFamily = "alerts";

struct BrandInfo {
  std::string id;
  std::string name;
  std::string lang;  // zh or en
  std::vector<std::string> competitors;
};

class AlertService {
 public:
  // outbox may be nullptr (no sinks configured: alerts are kept and served, not sent).
  AlertService(state::StateStore& store, alert_sinks::Outbox* outbox, prometheus::Registry& registry);

  // Loads incidents saved by an earlier run (ids stay stable across restarts).
  Status<std::string> restore();

  // Brands and policy in force; called at start and on every rules reload (worker thread or
  // before the pipeline starts).
  // crisis_terms (optional) lists the crisis-lexicon terms in a text, for the evidence of an
  // alert (the terms in its top mentions).
  using CrisisTermFinder = std::function<void(std::string_view text, std::vector<CrisisTerm>& out)>;
  void configure(std::vector<BrandInfo> brands, std::shared_ptr<const Policy> policy,
                 CrisisTermFinder crisis_terms = {});

  // Scale-out (aggregate role, docs/scaling.md): `partition_of` gives the partition of a
  // brand this instance owns (nullopt: owned elsewhere). Detectors run only for owned brands
  // (the others' incidents belong to the instance that owns their partition), each partition
  // on its own event-time clock (a partition restored from the changelog catches up from
  // where its state ends, while the instance's other partitions are further ahead; one clock
  // for all would judge it on minutes it has not read yet). Incidents are read again from the
  // state store, whose partition state may have been restored underneath. Worker thread,
  // between batches. Without a call: one clock, every brand.
  void set_owned_brands(std::function<std::optional<std::int32_t>(std::string_view brand)> partition_of);

  // A mention about `brand` was processed (worker thread).
  void on_mention(const std::string& brand, std::int64_t event_ms, bool negative, std::int64_t followers,
                  bool verified, std::uint32_t crisis_mask);

  // Evaluates window detectors at each minute boundary the watermark crossed and writes every
  // change into `batch` (worker thread, from the stage's on_batch_commit).
  void on_batch_commit(rocksdb::WriteBatch& batch, const WindowReader& windows);
  // The batch is committed: wakes the outbox deliverers if it carried alerts (worker thread).
  void on_batch_committed();

  void register_routes(http::Server& server, const std::string& api_token);

  std::uint64_t notifications() const { return notifications_; }
  std::int64_t watermark_ms() const { return watermark_ms_; }

 private:
  void emit(const IncidentChange& change, rocksdb::WriteBatch& batch, const WindowReader& windows);
  Alert to_alert(const IncidentChange& change) const;
  const BrandInfo* brand(std::string_view id) const;
  void rebuild_refs();

  state::StateStore& store_;
  rocksdb::ColumnFamilyHandle* cf_;
  alert_sinks::Outbox* outbox_;
  Evaluator evaluator_;
  std::vector<BrandInfo> brands_;
  // An event-time clock and the brands it drives: one for every brand, or one per owned
  // partition (set_owned_brands).
  struct Clock {
    std::int32_t partition = -1;
    std::vector<BrandRef> refs;
    std::int64_t watermark_ms = 0;       // newest event time seen
    std::int64_t committed_ms = 0;       // watermark of the last committed batch
    std::int64_t evaluated_minute = 0;   // last minute boundary evaluated
    std::int64_t first_event_ms = 0;     // oldest event time seen before the first evaluation
    std::int64_t last_evaluated_ms = 0;  // event time of the last evaluation (minute or in between)
    std::chrono::steady_clock::time_point last_evaluation_wall{};
    std::chrono::steady_clock::duration last_evaluation_cost{};  // wall time of the last in-between run
  };
  void evaluate(Clock& clock, const WindowReader& windows, std::vector<IncidentChange>& changes);
  std::vector<Clock> groups_ = std::vector<Clock>(1);
  std::unordered_map<std::string, std::size_t> group_of_brand_;  // index into groups_ (split only)
  std::function<std::optional<std::int32_t>(std::string_view)> partition_of_;
  bool split_ = false;  // one clock per partition
  std::shared_ptr<const Policy> policy_;
  std::vector<IncidentChange> pending_;  // from on_mention, written at commit
  std::int64_t watermark_ms_ = 0;        // newest event time seen (all brands)
  CrisisTermFinder crisis_terms_;
  bool emitted_uncommitted_ = false;     // the batch being committed carries outbox entries
  std::uint64_t notifications_ = 0;
  std::mutex ack_mu_;
  std::vector<std::pair<std::string, std::string>> pending_acks_;  // (id, by)
  prometheus::Family<prometheus::Counter>& alerts_total_;
};

}  // namespace yuqing::alert
