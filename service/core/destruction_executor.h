// Carries out witnessed key destructions once their waiting period has passed (R11): the
// crypto-shredding step of the supervised destruction flow (service/access/destruction_manager.h
// has the request, approval, witness and cancel steps).
//
// For each due request: claim it in the store (a compare-and-swap, so a cancellation and
// another replica's executor are ordered against it; once claimed it can no longer be
// cancelled), destroy the HSM objects of the covered versions, then in one store transaction
// erase their wrapped material and mark them destroyed, drop them from this process's caches,
// and have the recorder write the destruction record into the audit log. Each step is
// idempotent, so a request left half done by a crash or a failing HSM is finished by the next
// pass of any replica; a destroyed request whose record could not be written is recorded at the
// next pass.
#ifndef YINJIAN_SERVICE_CORE_DESTRUCTION_EXECUTOR_H_
#define YINJIAN_SERVICE_CORE_DESTRUCTION_EXECUTOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hsm/token.h"
#include "service/core/key_resolver.h"
#include "service/core/periodic_task.h"
#include "service/core/token_directory.h"
#include "service/store/store.h"

namespace yinjian::core {

// A destruction record and the audit log entry that carries it.
struct WrittenRecord {
  std::string record;
  int64_t index = -1;
};

class DestructionExecutor {
 public:
  using Clock = std::function<absl::Time()>;
  // Writes the destruction record of a destroyed request (its versions as they were before
  // destruction) into the audit log; an error leaves the request without a record until the
  // next pass.
  using Recorder = std::function<absl::StatusOr<WrittenRecord>(
      const store::DestructionRecord& request, const store::KeyRecord& key,
      const std::vector<store::KeyVersionRecord>& versions)>;

  DestructionExecutor(store::Store& store, TokenDirectory& tokens, KeyResolver& resolver,
                      Clock clock, Recorder recorder)
      : store_(store),
        tokens_(tokens),
        resolver_(resolver),
        clock_(std::move(clock)),
        recorder_(std::move(recorder)),
        task_("destruction executor", [this] { return RunOnce().status(); }) {}
  ~DestructionExecutor() { Stop(); }

  // Carries out every destruction due now and records those without a record; returns how
  // many requests this call destroyed. The first store or HSM error ends the pass (the request
  // stays claimed and is taken up again by the next pass).
  absl::StatusOr<int> RunOnce();

  void Start(absl::Duration interval) { task_.Start(interval); }
  void Stop() { task_.Stop(); }

 private:
  // Destroys one claimed request; returns false if another replica finished it first.
  absl::StatusOr<bool> Destroy(const store::DestructionRecord& claimed);
  absl::Status Record(const store::DestructionRecord& request,
                      const std::vector<store::KeyVersionRecord>& versions);
  absl::Status DestroyHsmObjects(hsm::Token& token,
                                 const std::vector<store::KeyVersionRecord>& versions);

  store::Store& store_;
  TokenDirectory& tokens_;
  KeyResolver& resolver_;
  const Clock clock_;
  const Recorder recorder_;
  PeriodicTask task_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_DESTRUCTION_EXECUTOR_H_
