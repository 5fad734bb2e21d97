// The service benchmark's measurements and the limits derived from them. For each operation, in
// one run: the service through gRPC at several concurrencies, the raw rate of the same HSM (or
// software) work through hsm/, a gRPC echo carrying the same bytes with the same TLS, and the
// p11-kit peer doing the same PKCS#11 work where it can.
//
//   composed limit(C) = 1 / (1 / raw(C) + 1 / echo(C))
//
// raw(C) is the best raw rate with at most C threads (the service cannot run more HSM
// operations at once than it has calls in flight); echo(C) is measured at concurrency C.
#ifndef YINJIAN_BENCH_SERVICE_COMPARISON_H_
#define YINJIAN_BENCH_SERVICE_COMPARISON_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/grpc_load.h"
#include "bench/p11kit_peer.h"
#include "bench/service_fixture.h"
#include "bench/service_operations.h"

namespace yinjian::bench {

// Rates by concurrency or thread count. Every rate counts items: a BatchEncrypt call is
// kBatchItems operations.
using RateByCount = std::map<int, double>;

struct OperationComparison {
  ServiceOperationInfo info;
  WireSizes wire;            // of one service call, which the echo call copies
  std::string raw_source;    // which raw operation(s) and backend the raw rate is
  RateByCount raw;           // by threads
  RateByCount service;       // by concurrency
  RateByCount echo;          // by concurrency
  RateByCount peer;          // by threads; empty if the peer cannot do the operation
  std::string peer_note;     // why not, or what the peer measured
};

struct ComparisonOptions {
  std::vector<int> concurrency = {1, 2, 8, 32};
  std::vector<int> raw_threads = {1, 2};
  absl::Duration duration = absl::Seconds(1);
  int repetitions = 3;
  std::string only;  // '|'-separated substrings of operation names; empty: all
  std::string no_peer_reason = "not measured";  // the peer note when there is no peer
  std::function<void(const std::string&)> progress;  // optional
};

// Measures every selected operation. `peer` may be null (no peer column). Any failed service,
// echo or raw call aborts the run with its error; a peer failure only marks the peer "n/a".
absl::StatusOr<std::vector<OperationComparison>> CompareService(ServiceFixture& fixture,
                                                                P11KitPeer* peer,
                                                                const ComparisonOptions& options);

// The best raw rate with at most `concurrency` threads; 0 if none was measured.
double RawLimit(const OperationComparison& op, int concurrency);
// 1 / (1/RawLimit + 1/echo) at `concurrency`; 0 if either is missing.
double ComposedLimit(const OperationComparison& op, int concurrency);
// The best entry of `rates`, as (count, rate); (0, 0) if empty.
std::pair<int, double> Best(const RateByCount& rates);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_SERVICE_COMPARISON_H_
