#include "tests/support/token_fixture.h"

#include "common/status_macros.h"
#include "hsm/pin.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::testing {

std::unique_ptr<SoftHsmToken> TokenTest::softhsm_;
std::unique_ptr<hsm::Token> TokenTest::token_;
absl::Status* TokenTest::setup_status_ = nullptr;

absl::StatusOr<std::unique_ptr<hsm::Token>> OpenTestToken(const SoftHsmToken& softhsm,
                                                          size_t max_sessions) {
  ASSIGN_OR_RETURN(std::shared_ptr<hsm::Pkcs11Module> module,
                   hsm::Pkcs11Module::Load(
                       {.path = softhsm.module_path, .finalize_on_close = true}));
  ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = softhsm.pin_file}));
  return hsm::Token::Open(std::move(module), {.label = softhsm.label,
                                              .pin = std::move(pin),
                                              .max_sessions = max_sessions});
}

void TokenTest::SetUpTestSuite() {
  delete setup_status_;
  setup_status_ = new absl::Status();
  absl::StatusOr<std::unique_ptr<SoftHsmToken>> softhsm = SoftHsmToken::Create("yinjian-test");
  if (!softhsm.ok()) {
    *setup_status_ = softhsm.status();
    return;
  }
  softhsm_ = std::move(*softhsm);
  absl::StatusOr<std::unique_ptr<hsm::Token>> token = OpenTestToken(*softhsm_);
  if (!token.ok()) {
    *setup_status_ = token.status();
    return;
  }
  token_ = std::move(*token);
}

void TokenTest::TearDownTestSuite() {
  token_.reset();    // closes sessions; the module finalises when its last user goes
  softhsm_.reset();  // removes the token directory
}

void TokenTest::SetUp() {
  ASSERT_TRUE(setup_status_ != nullptr && setup_status_->ok())
      << "SoftHSM token set-up failed: " << (setup_status_ ? *setup_status_ : absl::Status());
}

size_t TokenTest::CountObjects() {
  absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> all = hsm::FindObjects(token(), {});
  EXPECT_TRUE(all.ok()) << all.status();
  return all.ok() ? all->size() : 0;
}

absl::StatusOr<hsm::ScopedObject> TokenTest::CreateKnownSecretKey(
    CK_KEY_TYPE key_type, absl::Span<const uint8_t> value, const hsm::KeyOptions& options) {
  hsm::AttributeTemplate t = hsm::SecretKeyTemplate(key_type, 0, options);
  t.SetBytes(CKA_VALUE, value);
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(token().Run([&](CK_SESSION_HANDLE session) {
    return P11_CALL(token().functions(), C_CreateObject, session, t.data(), t.size(), &handle);
  }));
  return hsm::ScopedObject(&token(), handle);
}

}  // namespace yinjian::testing
