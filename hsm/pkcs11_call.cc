#include "hsm/pkcs11_call.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace yinjian::hsm {
namespace {

std::atomic<uint64_t> g_calls{0};

struct FailureLog {
  absl::Mutex mu;
  uint64_t failures ABSL_GUARDED_BY(mu) = 0;
  std::map<std::string, uint64_t> by_kind ABSL_GUARDED_BY(mu);
};

FailureLog& Failures() {
  static FailureLog* log = new FailureLog();  // never destroyed: safe during static teardown
  return *log;
}

bool TraceEnabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("YINJIAN_PKCS11_TRACE");
    return v != nullptr && *v != '\0' && absl::string_view(v) != "0";
  }();
  return enabled;
}

}  // namespace

namespace internal {
void RecordPkcs11Call(absl::string_view function, CK_RV rv) {
  g_calls.fetch_add(1, std::memory_order_relaxed);
  if (TraceEnabled()) {
    std::string line = absl::StrCat("pkcs11 ", function, " -> ", CkRvName(rv), "\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  if (rv == CKR_OK) return;
  FailureLog& log = Failures();
  absl::MutexLock lock(&log.mu);
  ++log.failures;
  ++log.by_kind[absl::StrCat(function, " ", CkRvName(rv))];
}
}  // namespace internal

Pkcs11CallCounts GetPkcs11CallCounts() {
  Pkcs11CallCounts counts;
  counts.calls = g_calls.load(std::memory_order_relaxed);
  FailureLog& log = Failures();
  absl::MutexLock lock(&log.mu);
  counts.failures = log.failures;
  counts.failures_by_kind = log.by_kind;
  return counts;
}

}  // namespace yinjian::hsm
