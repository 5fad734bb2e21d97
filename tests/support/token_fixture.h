// A test fixture with a fresh SoftHSM token per test suite, its module loaded (finalised at the
// end, so the next suite's configuration is read anew) and the user logged in.
//
//   class SigningTest : public yinjian::testing::TokenTest {};
//   TEST_F(SigningTest, Works) { hsm::Token& t = token(); ... }
#ifndef YINJIAN_TESTS_SUPPORT_TOKEN_FIXTURE_H_
#define YINJIAN_TESTS_SUPPORT_TOKEN_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/attributes.h"
#include "hsm/module.h"
#include "hsm/objects.h"
#include "hsm/token.h"
#include "tests/support/softhsm_token.h"

namespace yinjian::testing {

// Loads the module for `softhsm` (finalize_on_close) and logs in to its first token.
absl::StatusOr<std::unique_ptr<hsm::Token>> OpenTestToken(const SoftHsmToken& softhsm,
                                                          size_t max_sessions = 8);

class TokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;  // fails the test if the suite's token could not be set up

  static hsm::Token& token() { return *token_; }
  static SoftHsmToken& softhsm() { return *softhsm_; }

  // Objects currently visible to the user on the token (token and session objects), for leak
  // checks.
  static size_t CountObjects();

  // Test-only: creates a secret key object with a known value via C_CreateObject, so results
  // can be checked against OpenSSL. Production code never creates keys from plaintext.
  static absl::StatusOr<hsm::ScopedObject> CreateKnownSecretKey(CK_KEY_TYPE key_type,
                                                                absl::Span<const uint8_t> value,
                                                                const hsm::KeyOptions& options);

 private:
  static std::unique_ptr<SoftHsmToken> softhsm_;
  static std::unique_ptr<hsm::Token> token_;
  static absl::Status* setup_status_;
};

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SUPPORT_TOKEN_FIXTURE_H_
