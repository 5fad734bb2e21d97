// The operations the service benchmark measures through gRPC, the keys they use, and callers
// that make one checked call each (see bench/grpc_load.h).
#ifndef YINJIAN_BENCH_SERVICE_OPERATIONS_H_
#define YINJIAN_BENCH_SERVICE_OPERATIONS_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/grpc_load.h"
#include "bench/throughput.h"
#include "yinjian/v1/common.pb.h"

namespace yinjian::bench {

enum class ServiceOperation {
  kEncrypt,          // Encrypt 1 KiB under aes256-gcm
  kSignEcdsaP256,    // Sign a 32-byte message
  kSignRsaPss2048,
  kSignSm2,
  kMac,              // Mac 1 KiB under hmac-sha256
  kGenerateDataKey,  // 32-byte data key under aes256-gcm, plaintext returned
  kBatchEncrypt,     // BatchEncrypt of kBatchItems x 1 KiB
};

inline constexpr int kBatchItems = 100;
inline constexpr size_t kServicePayloadBytes = 1024;

struct ServiceOperationInfo {
  ServiceOperation operation;
  std::string name;      // "Encrypt 1 KiB", "Sign ecdsa-p256", ...
  std::string key;       // "department/key" it uses
  v1::KeyKind kind;      // the kind of that key
  int items_per_call;    // kBatchItems for the batch, else 1
};

// Every operation, in table order.
const std::vector<ServiceOperationInfo>& AllServiceOperations();
const ServiceOperationInfo& InfoOf(ServiceOperation operation);

// The department every benchmark key lives in.
inline constexpr char kBenchDepartment[] = "bench";

// One caller of `operation` on `channel` (with its own stub and request). Its call returns OK
// only if the RPC succeeded and the response has the expected shape (every batch item OK);
// otherwise the RPC's status, or INTERNAL describing the bad response.
struct ServiceCaller {
  OperationFn call;
  std::function<WireSizes()> last_sizes;  // of the last call made
};
ServiceCaller MakeServiceCaller(const std::shared_ptr<grpc::Channel>& channel,
                                ServiceOperation operation);

// Makes one call and returns its sizes: what the echo baseline should carry.
absl::StatusOr<WireSizes> ProbeWireSizes(const std::shared_ptr<grpc::Channel>& channel,
                                         ServiceOperation operation);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_SERVICE_OPERATIONS_H_
