// Early-return helpers for absl::Status / absl::StatusOr, so fallible calls read as one line.
#ifndef YINJIAN_COMMON_STATUS_MACROS_H_
#define YINJIAN_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define YJ_STATUS_CONCAT_INNER_(a, b) a##b
#define YJ_STATUS_CONCAT_(a, b) YJ_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function if not OK.
#define RETURN_IF_ERROR(expr)                                    \
  do {                                                           \
    if (::absl::Status yj_status_ = (expr); !yj_status_.ok()) {  \
      return yj_status_;                                         \
    }                                                            \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Fallible());` declares x from the StatusOr's value, or returns its
// status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  YJ_ASSIGN_OR_RETURN_IMPL_(YJ_STATUS_CONCAT_(yj_statusor_, __LINE__), lhs, rexpr)

#define YJ_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                              \
  if (!statusor.ok()) {                                 \
    return std::move(statusor).status();                \
  }                                                     \
  lhs = std::move(statusor).value()

#endif  // YINJIAN_COMMON_STATUS_MACROS_H_
