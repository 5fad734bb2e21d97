// Assertion helpers for absl::Status / absl::StatusOr in GoogleTest tests.
#ifndef YINJIAN_TESTS_SUPPORT_STATUS_TEST_MACROS_H_
#define YINJIAN_TESTS_SUPPORT_STATUS_TEST_MACROS_H_

#include <gtest/gtest.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define YJ_TEST_CONCAT_INNER_(a, b) a##b
#define YJ_TEST_CONCAT_(a, b) YJ_TEST_CONCAT_INNER_(a, b)

// Fails the test unless `expr` (a Status or StatusOr) is OK.
#define YJ_ASSERT_OK(expr)                                                     \
  do {                                                                         \
    const ::absl::Status yj_test_status_ = ::yinjian::testing::StatusOf(expr); \
    ASSERT_TRUE(yj_test_status_.ok()) << yj_test_status_;                      \
  } while (false)
#define YJ_EXPECT_OK(expr)                                                     \
  do {                                                                         \
    const ::absl::Status yj_test_status_ = ::yinjian::testing::StatusOf(expr); \
    EXPECT_TRUE(yj_test_status_.ok()) << yj_test_status_;                      \
  } while (false)

// `YJ_ASSERT_OK_AND_ASSIGN(auto x, Fallible());` declares x or fails the test.
#define YJ_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  YJ_ASSERT_OK_AND_ASSIGN_IMPL_(YJ_TEST_CONCAT_(yj_test_statusor_, __LINE__), lhs, rexpr)
#define YJ_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  ASSERT_TRUE(statusor.ok()) << statusor.status();          \
  lhs = std::move(statusor).value()

namespace yinjian::testing {

inline absl::Status StatusOf(const absl::Status& status) { return status; }
template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SUPPORT_STATUS_TEST_MACROS_H_
