#include "hsm/module.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hsm/key_generation.h"
#include "hsm/objects.h"
#include "hsm/pin.h"
#include "hsm/random.h"
#include "hsm/token.h"
#include "tests/support/softhsm_token.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::SoftHsmToken;

class ModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SoftHsmToken>> softhsm = SoftHsmToken::Create("module-test");
    ASSERT_TRUE(softhsm.ok()) << softhsm.status();
    softhsm_ = std::move(*softhsm);
  }
  absl::StatusOr<std::shared_ptr<Pkcs11Module>> Load() {
    return Pkcs11Module::Load({.path = softhsm_->module_path, .finalize_on_close = true});
  }
  SecureBytes Pin(const std::string& file) {
    absl::StatusOr<SecureBytes> pin = ReadPin({.file = file});
    EXPECT_TRUE(pin.ok()) << pin.status();
    return pin.ok() ? *pin : SecureBytes();
  }
  // Plays another component of the process: opens the module itself and calls C_Initialize,
  // returning what that answered. The library stays mapped until the fixture ends.
  CK_RV InitializeDirectly() {
    library_ = dlopen(softhsm_->module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library_ == nullptr) return CKR_LIBRARY_LOAD_FAILED;
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(library_, "C_GetFunctionList"));
    if (get_list == nullptr || get_list(&direct_) != CKR_OK) return CKR_LIBRARY_LOAD_FAILED;
    CK_C_INITIALIZE_ARGS args = {};
    args.flags = CKF_OS_LOCKING_OK;
    return direct_->C_Initialize(&args);
  }
  void TearDown() override {
    if (library_ != nullptr) dlclose(library_);
  }
  std::unique_ptr<SoftHsmToken> softhsm_;
  void* library_ = nullptr;
  CK_FUNCTION_LIST* direct_ = nullptr;
};

TEST_F(ModuleTest, MissingLibraryIsAClearError) {
  absl::StatusOr<std::shared_ptr<Pkcs11Module>> module =
      Pkcs11Module::Load({.path = "/nonexistent/libpkcs11.so"});
  EXPECT_EQ(module.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(module.status().message().find("/nonexistent/libpkcs11.so"), absl::string_view::npos);
  EXPECT_EQ(Pkcs11Module::Load({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ModuleTest, LibraryWithoutPkcs11IsRejected) {
  absl::StatusOr<std::shared_ptr<Pkcs11Module>> module =
      Pkcs11Module::Load({.path = "libz.so.1"});
  EXPECT_EQ(module.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(module.status().message().find("not a PKCS#11 module"), absl::string_view::npos);
}

TEST_F(ModuleTest, SamePathSharesOneInstance) {
  YJ_ASSERT_OK_AND_ASSIGN(auto first, Load());
  YJ_ASSERT_OK_AND_ASSIGN(auto second, Load());
  EXPECT_EQ(first.get(), second.get());
}

TEST_F(ModuleTest, FindsTokenByLabelNotSlot) {
  YJ_ASSERT_OK_AND_ASSIGN(auto module, Load());
  YJ_ASSERT_OK_AND_ASSIGN(TokenDescription token, module->FindTokenByLabel("module-test"));
  EXPECT_EQ(token.label, "module-test");
  EXPECT_NE(token.flags & CKF_TOKEN_INITIALIZED, 0u);
  EXPECT_EQ(token.manufacturer, "SoftHSM project");
  absl::StatusOr<TokenDescription> missing = module->FindTokenByLabel("no-such-token");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no-such-token"), absl::string_view::npos);
}

TEST_F(ModuleTest, WrongPinIsPermissionDeniedAndDoesNotLeakThePin) {
  YJ_ASSERT_OK_AND_ASSIGN(auto module, Load());
  SecureBytes wrong = {'w', 'r', 'o', 'n', 'g', '-', 'p', 'i', 'n'};
  absl::StatusOr<std::unique_ptr<Token>> token =
      Token::Open(module, {.label = "module-test", .pin = wrong});
  EXPECT_EQ(token.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(token.status().message().find("CKR_PIN_INCORRECT"), absl::string_view::npos);
  EXPECT_EQ(token.status().message().find("wrong-pin"), absl::string_view::npos);
}

TEST_F(ModuleTest, MissingLabelAndEmptyPin) {
  YJ_ASSERT_OK_AND_ASSIGN(auto module, Load());
  EXPECT_EQ(Token::Open(module, {.label = "absent", .pin = Pin(softhsm_->pin_file)})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Token::Open(module, {.label = "module-test"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ModuleTest, TwoTokensOnOneModuleKeepTheirKeysApart) {
  // A department with a dedicated token: a second token in the same module.
  YJ_ASSERT_OK(softhsm_->AddToken("department-b"));
  YJ_ASSERT_OK_AND_ASSIGN(auto module, Load());
  YJ_ASSERT_OK_AND_ASSIGN(auto a, Token::Open(module, {.label = "module-test",
                                                       .pin = Pin(softhsm_->pin_file)}));
  YJ_ASSERT_OK_AND_ASSIGN(
      auto b, Token::Open(module, {.label = "department-b",
                                   .pin = Pin(softhsm_->PinFile("department-b"))}));
  EXPECT_NE(a->description().slot_id, b->description().slot_id);
  YJ_ASSERT_OK_AND_ASSIGN(
      ScopedObject key, GenerateAesKey(*a, 32, {.label = "only-in-a", .token_object = true}));
  YJ_EXPECT_OK(FindObject(*a, {.label = "only-in-a"}));
  EXPECT_EQ(FindObject(*b, {.label = "only-in-a"}).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ModuleTest, AcceptsAModuleAnotherComponentInitialised) {
  ASSERT_EQ(InitializeDirectly(), CKR_OK);
  {
    YJ_ASSERT_OK_AND_ASSIGN(auto module, Load());
    YJ_ASSERT_OK_AND_ASSIGN(auto token, Token::Open(module, {.label = "module-test",
                                                             .pin = Pin(softhsm_->pin_file)}));
    YJ_EXPECT_OK(GenerateRandom(*token, 16));
  }
  // Our module did not own the initialisation, so it must not have finalised it.
  EXPECT_EQ(direct_->C_Finalize(nullptr), CKR_OK);
}

TEST_F(ModuleTest, NeverFinalisesByDefault) {
  // Some modules crash or hang in C_Finalize: by default Yinjian never calls it, and the module
  // stays initialised after the last user lets go.
  {
    YJ_ASSERT_OK_AND_ASSIGN(auto module, Pkcs11Module::Load({.path = softhsm_->module_path}));
    YJ_ASSERT_OK_AND_ASSIGN(auto token, Token::Open(module, {.label = "module-test",
                                                             .pin = Pin(softhsm_->pin_file)}));
  }
  EXPECT_EQ(InitializeDirectly(), CKR_CRYPTOKI_ALREADY_INITIALIZED);
  // A later Load adopts the live initialisation instead of failing.
  YJ_ASSERT_OK_AND_ASSIGN(auto again, Load());
  YJ_EXPECT_OK(again->ListTokens());
  again.reset();
  EXPECT_EQ(direct_->C_Finalize(nullptr), CKR_OK);  // leave the process as we found it
}

TEST_F(ModuleTest, RefusesUseAfterFork) {
  YJ_ASSERT_OK_AND_ASSIGN(auto module, Load());
  YJ_ASSERT_OK(module->CheckNotForked());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    absl::Status status = module->CheckNotForked();
    _exit(status.code() == absl::StatusCode::kFailedPrecondition ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
}

}  // namespace
}  // namespace yinjian::hsm
