// What the store tests of schema steps 5 and on share: times that prove a record comes back as
// stored (microseconds), and the code of a StatusOr.
#ifndef YINJIAN_TESTS_SERVICE_STORE_STORE_TEST_UTIL_H_
#define YINJIAN_TESTS_SERVICE_STORE_STORE_TEST_UTIL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace yinjian::store::testing {

// Sub-microsecond times prove that records come back as stored, not as given.
inline absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}
inline absl::Time Stored(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

template <typename T>
absl::StatusCode CodeOf(const absl::StatusOr<T>& status_or) {
  return status_or.status().code();
}

}  // namespace yinjian::store::testing

#endif  // YINJIAN_TESTS_SERVICE_STORE_STORE_TEST_UTIL_H_
