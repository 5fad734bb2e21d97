// Workloads that run through Yinjian's PKCS#11 layer (hsm/), so their rates include the layer's
// own costs: session pool, Token::Run, status mapping, software hashing before CKM_ECDSA.
#ifndef YINJIAN_BENCH_PKCS11_WORKLOADS_H_
#define YINJIAN_BENCH_PKCS11_WORKLOADS_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "bench/raw_operation.h"
#include "hsm/token.h"

namespace yinjian::bench {

// Why `operation` cannot run on `token` with keys that are token objects (or session objects),
// e.g. "token lacks CKM_EDDSA"; nullopt if it can.
std::optional<std::string> Pkcs11SkipReason(const hsm::Token& token, RawOperation operation,
                                            bool token_objects);

// Generates the operation's keys in the token (as token or session objects) and returns the
// workload. The token must outlive the workload and its workers. Errors from key generation;
// FAILED_PRECONDITION if Pkcs11SkipReason names a reason.
absl::StatusOr<Workload> PreparePkcs11Workload(hsm::Token& token, RawOperation operation,
                                               bool token_objects, size_t payload_bytes);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_PKCS11_WORKLOADS_H_
