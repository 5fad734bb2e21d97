// The operations hsm_bench measures, the backends it measures them on, and a Workload: one
// operation bound to its keys, ready to hand a worker to each measuring thread.
#ifndef YINJIAN_BENCH_RAW_OPERATION_H_
#define YINJIAN_BENCH_RAW_OPERATION_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/throughput.h"
#include "hsm/secure_bytes.h"

namespace yinjian::bench {

// Signatures sign a 32-byte message (hashed in software where the scheme hashes: see signing.h);
// the symmetric, MAC and digest operations process a payload of RawRateOptions::payload_bytes.
enum class RawOperation {
  kEcdsaP256Sign,
  kRsa2048Pkcs1Sign,
  kRsa2048PssSign,
  kEd25519Sign,
  kAes256GcmEncrypt,
  kHmacSha256,
  kAesKeyWrapUnwrap,  // wrap a 32-byte AES key with AES-256 key wrap (pad), then unwrap it
  kSha256Digest,
  kRandom32,
  // National algorithms: software only (hsm/sm2.h, hsm/sm3.h, hsm/sm4_aead.h).
  kSm2Sign,
  kSm3Digest,
  kHmacSm3,
  kSm4AeadEncrypt,
};

enum class Backend {
  kPkcs11Token,    // through hsm/, key is a token object (CKA_TOKEN=true)
  kPkcs11Session,  // through hsm/, key is a session object
  kOpenSsl,        // EVP directly, or the project's software code for the national algorithms
};

// Every operation, in table order.
const std::vector<RawOperation>& AllRawOperations();
const std::vector<Backend>& AllBackends();

// "pkcs11-token", "pkcs11-session", "openssl".
absl::string_view BackendName(Backend backend);
std::optional<Backend> BackendFromName(absl::string_view name);

// The operation's display name, which names the payload size where it matters:
// "ECDSA P-256 sign", "AES-256-GCM encrypt 1 KiB", "random 32 B", ...
std::string RawOperationName(RawOperation operation, size_t payload_bytes);

// "1 KiB", "4 KiB", "100 B".
std::string PayloadText(size_t bytes);

// Signature operations sign a message of this many bytes.
inline constexpr size_t kSignedMessageBytes = 32;

// A payload (or message) of `bytes` bytes with recognisable, non-zero content.
hsm::Bytes BenchPayload(size_t bytes);

// An operation bound to its keys. Each call of new_worker makes the callable for one thread
// (with its own buffers and OpenSSL contexts). The keys live as long as the Workload or any of
// its workers, whichever is last; HSM keys are destroyed then.
struct Workload {
  std::function<absl::StatusOr<OperationFn>()> new_worker;
};

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_RAW_OPERATION_H_
