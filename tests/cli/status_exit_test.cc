#include "cli/status_exit.h"

#include <gtest/gtest.h>

namespace yinjian::cli {
namespace {

TEST(StatusExitTest, RpcErrorsExitOneWithCodeAndMessageOnOneLine) {
  const absl::Status status =
      FromRpcStatus(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not an officer of\nhr"));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ExitCodeFor(status), 1);
  EXPECT_EQ(ErrorLine(status), "yinjianctl: PERMISSION_DENIED: not an officer of hr");
}

TEST(StatusExitTest, EveryCanonicalRpcCodeIsNamedAndExitsOne) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status status =
        FromRpcStatus(grpc::Status(static_cast<grpc::StatusCode>(code), "m"));
    EXPECT_EQ(ExitCodeFor(status), kExitRpcError) << code;
    const std::string line = ErrorLine(status);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.rfind("yinjianctl: ", 0), 0u) << line;
    EXPECT_EQ(line.find("CODE_"), std::string::npos) << line;
    EXPECT_EQ(line.substr(line.size() - 3), ": m") << line;
  }
  EXPECT_EQ(ErrorLine(FromRpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"))),
            "yinjianctl: UNAVAILABLE: down");
  EXPECT_EQ(ErrorLine(FromRpcStatus(
                grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"))),
            "yinjianctl: DEADLINE_EXCEEDED: Deadline Exceeded");
}

TEST(StatusExitTest, OkRpcStatusIsOkAndExitsZero) {
  EXPECT_TRUE(FromRpcStatus(grpc::Status::OK).ok());
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), 0);
}

TEST(StatusExitTest, LocalErrorsExitTwo) {
  const absl::Status status = absl::InvalidArgumentError("unknown key kind \"x\"\r\n");
  EXPECT_EQ(ExitCodeFor(status), kExitUsage);
  EXPECT_EQ(ErrorLine(status), "yinjianctl: INVALID_ARGUMENT: unknown key kind \"x\"  ");
  // A local error that happens to carry an RPC-like code is still local.
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitUsage);
}

TEST(StatusExitTest, FailedVerificationExitsOneWithItsMessage) {
  const absl::Status status = NotValid("signature is NOT valid");
  EXPECT_EQ(ExitCodeFor(status), 1);
  EXPECT_EQ(ErrorLine(status), "yinjianctl: signature is NOT valid");
}

}  // namespace
}  // namespace yinjian::cli
