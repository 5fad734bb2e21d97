// Workloads that call OpenSSL directly (EVP) for the algorithms the HSM also offers, and the
// project's software code (hsm/sm2.h, hsm/sm3.h, hsm/sm4_aead.h) for the national algorithms:
// the yardstick for what the PKCS#11 path costs.
#ifndef YINJIAN_BENCH_OPENSSL_WORKLOADS_H_
#define YINJIAN_BENCH_OPENSSL_WORKLOADS_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "bench/raw_operation.h"

namespace yinjian::bench {

// Generates the operation's keys in memory and returns the workload. INTERNAL if OpenSSL lacks
// an algorithm or fails.
absl::StatusOr<Workload> PrepareOpenSslWorkload(RawOperation operation, size_t payload_bytes);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_OPENSSL_WORKLOADS_H_
