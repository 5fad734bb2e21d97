#include "hsm/ck_rv.h"

#include <gtest/gtest.h>

#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

TEST(CkRvTest, OkIsOk) { EXPECT_TRUE(CkRvToStatus("C_Sign", CKR_OK).ok()); }

TEST(CkRvTest, MessageNamesFunctionAndReturnValue) {
  absl::Status status = CkRvToStatus("C_Sign", CKR_KEY_TYPE_INCONSISTENT);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "C_Sign failed: CKR_KEY_TYPE_INCONSISTENT");
}

TEST(CkRvTest, PayloadCarriesTheRawValue) {
  absl::Status status = CkRvToStatus("C_Decrypt", CKR_ENCRYPTED_DATA_INVALID);
  ASSERT_TRUE(CkRvFromStatus(status).has_value());
  EXPECT_EQ(*CkRvFromStatus(status), CKR_ENCRYPTED_DATA_INVALID);
  EXPECT_FALSE(CkRvFromStatus(absl::InternalError("no payload")).has_value());
}

struct Mapping {
  CK_RV rv;
  absl::StatusCode code;
};

class CkRvMappingTest : public ::testing::TestWithParam<Mapping> {};

TEST_P(CkRvMappingTest, MapsToCanonicalCode) {
  EXPECT_EQ(CkRvToCode(GetParam().rv), GetParam().code) << CkRvName(GetParam().rv);
}

INSTANTIATE_TEST_SUITE_P(
    Canonical, CkRvMappingTest,
    ::testing::Values(
        Mapping{CKR_DATA_LEN_RANGE, absl::StatusCode::kInvalidArgument},
        Mapping{CKR_ENCRYPTED_DATA_INVALID, absl::StatusCode::kInvalidArgument},
        Mapping{CKR_WRAPPED_KEY_INVALID, absl::StatusCode::kInvalidArgument},
        Mapping{CKR_MECHANISM_INVALID, absl::StatusCode::kFailedPrecondition},
        Mapping{CKR_KEY_FUNCTION_NOT_PERMITTED, absl::StatusCode::kFailedPrecondition},
        Mapping{CKR_KEY_UNEXTRACTABLE, absl::StatusCode::kFailedPrecondition},
        Mapping{CKR_PIN_LOCKED, absl::StatusCode::kFailedPrecondition},
        Mapping{CKR_OBJECT_HANDLE_INVALID, absl::StatusCode::kNotFound},
        Mapping{CKR_KEY_HANDLE_INVALID, absl::StatusCode::kNotFound},
        Mapping{CKR_PIN_INCORRECT, absl::StatusCode::kPermissionDenied},
        Mapping{CKR_HOST_MEMORY, absl::StatusCode::kResourceExhausted},
        Mapping{CKR_SESSION_COUNT, absl::StatusCode::kResourceExhausted},
        Mapping{CKR_DEVICE_REMOVED, absl::StatusCode::kUnavailable},
        Mapping{CKR_SESSION_HANDLE_INVALID, absl::StatusCode::kUnavailable},
        Mapping{CKR_USER_NOT_LOGGED_IN, absl::StatusCode::kUnavailable},
        Mapping{CKR_GENERAL_ERROR, absl::StatusCode::kInternal},
        Mapping{CKR_BUFFER_TOO_SMALL, absl::StatusCode::kInternal},
        Mapping{CKR_VENDOR_DEFINED + 7, absl::StatusCode::kInternal}));

TEST(CkRvTest, UnknownValuesGetAHexName) {
  EXPECT_EQ(CkRvName(CKR_VENDOR_DEFINED + 1), "CKR_0x80000001");
  EXPECT_EQ(CkRvName(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
}

TEST(CkRvTest, BrokenSessionSet) {
  for (CK_RV rv : {CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_ERROR,
                   CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_USER_NOT_LOGGED_IN}) {
    EXPECT_TRUE(IsSessionBroken(rv)) << CkRvName(rv);
  }
  for (CK_RV rv : {CKR_OK, CKR_SIGNATURE_INVALID, CKR_KEY_TYPE_INCONSISTENT, CKR_PIN_INCORRECT,
                   CKR_OPERATION_ACTIVE}) {
    EXPECT_FALSE(IsSessionBroken(rv)) << CkRvName(rv);
  }
}

CK_RV ReturnsWhatItIsGiven(CK_RV rv) { return rv; }

TEST(Pkcs11CallTest, EveryCallIsCountedAndNamed) {
  Pkcs11CallCounts before = GetPkcs11CallCounts();
  absl::Status ok = internal::CallPkcs11("C_Fake", ReturnsWhatItIsGiven, CKR_OK);
  absl::Status bad = internal::CallPkcs11("C_Fake", ReturnsWhatItIsGiven, CKR_DATA_INVALID);
  Pkcs11CallCounts after = GetPkcs11CallCounts();
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(bad.message(), "C_Fake failed: CKR_DATA_INVALID");
  EXPECT_EQ(after.calls - before.calls, 2u);
  EXPECT_EQ(after.failures - before.failures, 1u);
  EXPECT_EQ(after.failures_by_kind["C_Fake CKR_DATA_INVALID"],
            before.failures_by_kind["C_Fake CKR_DATA_INVALID"] + 1);
}

}  // namespace
}  // namespace yinjian::hsm
