// The core services end to end against a real SoftHSM token and a real SQLite file: every key
// kind, encryption contexts, tampering, wrong kinds, unknown keys, disabled versions.
#include <gtest/gtest.h>

#include "hsm/software_verify.h"
#include "service/core/encryption_service.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "service/core/mac_service.h"
#include "service/core/signature_service.h"
#include "service/core/token_directory.h"
#include "service/store/sqlite_store.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"
#include "tests/support/token_fixture.h"

namespace yinjian::core {
namespace {

using keys::KeyKind;

class CryptoCoreTest : public testing::TokenTest {
 protected:
  void SetUp() override {
    TokenTest::SetUp();
    absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_.emplace(std::move(*dir));
    absl::StatusOr<std::unique_ptr<store::SqliteStore>> opened =
        store::SqliteStore::Open((dir_->path() / "yinjian.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    tokens_ = std::make_unique<TokenDirectory>(&token());
    manager_ = std::make_unique<KeyManager>(*store_, *tokens_);
    resolver_ = std::make_unique<KeyResolver>(*store_, *tokens_,
                                              ResolverOptions{.version_cache_capacity = 64});
    encryption_ = std::make_unique<EncryptionService>(*resolver_);
    signatures_ = std::make_unique<SignatureService>(*resolver_);
    macs_ = std::make_unique<MacService>(*resolver_);
    // Department names are unique per test: root keys persist in the suite's token.
    dept_ = "dept-" + std::to_string(++counter_);
    YJ_ASSERT_OK(manager_->CreateDepartment(dept_, "Finance", ""));
  }
  void TearDown() override {
    resolver_.reset();  // destroys cached HSM objects while the token is open
  }
  std::string Key(const std::string& name) { return dept_ + "/" + name; }

  static inline int counter_ = 0;
  std::optional<testing::TempDir> dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<TokenDirectory> tokens_;
  std::unique_ptr<KeyManager> manager_;
  std::unique_ptr<KeyResolver> resolver_;
  std::unique_ptr<EncryptionService> encryption_;
  std::unique_ptr<SignatureService> signatures_;
  std::unique_ptr<MacService> macs_;
  std::string dept_;
};

std::string AsString(const hsm::SecureBytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST_F(CryptoCoreTest, EncryptionKindsRoundTripWithContext) {
  for (KeyKind kind : {KeyKind::kAes256Gcm, KeyKind::kSm4}) {
    const std::string key = Key(keys::Info(kind).name);
    SCOPED_TRACE(key);
    YJ_ASSERT_OK(manager_->CreateKey(key, kind, std::nullopt, ""));
    const format::EncryptionContext context = {{"purpose", "billing"}, {"tenant", "42"}};
    YJ_ASSERT_OK_AND_ASSIGN(EncryptResult sealed,
                            encryption_->Encrypt(key, "tax record 2026", context));
    EXPECT_EQ(sealed.key_version.version, 1);
    EXPECT_EQ(sealed.key_version.protection, kind == KeyKind::kSm4 ? keys::Protection::kSoftware
                                                                    : keys::Protection::kHsm);
    YJ_ASSERT_OK_AND_ASSIGN(DecryptResult opened, encryption_->Decrypt(sealed.ciphertext, context));
    EXPECT_EQ(AsString(opened.plaintext), "tax record 2026");
    EXPECT_EQ(opened.key_version.key, key);
    // The context is required byte for byte.
    for (const format::EncryptionContext& wrong :
         {format::EncryptionContext{}, format::EncryptionContext{{"purpose", "billing"}},
          format::EncryptionContext{{"purpose", "billing"}, {"tenant", "43"}}}) {
      EXPECT_EQ(encryption_->Decrypt(sealed.ciphertext, wrong).status().code(),
                absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_F(CryptoCoreTest, EveryTamperedByteIsRejectedWithoutPlaintext) {
  YJ_ASSERT_OK(manager_->CreateKey(Key("gcm"), KeyKind::kAes256Gcm, std::nullopt, ""));
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult sealed, encryption_->Encrypt(Key("gcm"), "secret", {}));
  for (size_t i = 0; i < sealed.ciphertext.size(); ++i) {
    std::string tampered = sealed.ciphertext;
    tampered[i] ^= 0x01;
    absl::StatusOr<DecryptResult> opened = encryption_->Decrypt(tampered, {});
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    // Header bytes may name another key (NOT_FOUND) or version; payload bytes fail to authenticate.
    EXPECT_TRUE(opened.status().code() == absl::StatusCode::kInvalidArgument ||
                opened.status().code() == absl::StatusCode::kNotFound)
        << "byte " << i << ": " << opened.status();
  }
  for (size_t n = 0; n < sealed.ciphertext.size(); ++n) {
    EXPECT_FALSE(encryption_->Decrypt(sealed.ciphertext.substr(0, n), {}).ok()) << n;
  }
}

TEST_F(CryptoCoreTest, ReEncryptAndDataKeys) {
  YJ_ASSERT_OK(manager_->CreateKey(Key("a"), KeyKind::kAes256Gcm, std::nullopt, ""));
  YJ_ASSERT_OK(manager_->CreateKey(Key("b"), KeyKind::kSm4, std::nullopt, ""));
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult sealed, encryption_->Encrypt(Key("a"), "moving", {}));
  YJ_ASSERT_OK_AND_ASSIGN(ReEncryptResult moved,
                          encryption_->ReEncrypt(sealed.ciphertext, {}, Key("b"), {{"k", "v"}}));
  EXPECT_EQ(moved.source_key_version.key, Key("a"));
  EXPECT_EQ(moved.key_version.key, Key("b"));
  YJ_ASSERT_OK_AND_ASSIGN(DecryptResult opened, encryption_->Decrypt(moved.ciphertext, {{"k", "v"}}));
  EXPECT_EQ(AsString(opened.plaintext), "moving");

  YJ_ASSERT_OK_AND_ASSIGN(DataKeyResult data_key,
                          encryption_->GenerateDataKey(Key("a"), 0, {{"file", "x"}}, true));
  EXPECT_EQ(data_key.plaintext.size(), 32u);
  YJ_ASSERT_OK_AND_ASSIGN(DecryptResult unwrapped,
                          encryption_->Decrypt(data_key.wrapped_data_key, {{"file", "x"}}));
  EXPECT_EQ(unwrapped.plaintext, data_key.plaintext);
  YJ_ASSERT_OK_AND_ASSIGN(DataKeyResult only_wrapped,
                          encryption_->GenerateDataKey(Key("a"), 16, {}, false));
  EXPECT_TRUE(only_wrapped.plaintext.empty());
  EXPECT_EQ(encryption_->GenerateDataKey(Key("a"), 8, {}, true).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CryptoCoreTest, EverySigningKindSignsAndVerifies) {
  for (KeyKind kind : {KeyKind::kEcdsaP256, KeyKind::kEcdsaP384, KeyKind::kRsaPss2048,
                       KeyKind::kRsaPkcs1_2048, KeyKind::kEd25519, KeyKind::kSm2}) {
    const std::string key = Key(keys::Info(kind).name);
    SCOPED_TRACE(key);
    YJ_ASSERT_OK(manager_->CreateKey(key, kind, std::nullopt, ""));
    YJ_ASSERT_OK_AND_ASSIGN(SignResult signed_, signatures_->Sign(key, {"the seal", false}));
    YJ_ASSERT_OK_AND_ASSIGN(VerifyResult ok,
                            signatures_->Verify(key, {"the seal", false}, signed_.signature));
    EXPECT_TRUE(ok.valid);
    YJ_ASSERT_OK_AND_ASSIGN(VerifyResult bad,
                            signatures_->Verify(key, {"the seal!", false}, signed_.signature));
    EXPECT_FALSE(bad.valid);
    YJ_ASSERT_OK_AND_ASSIGN(PublicKeyResult pub, signatures_->GetPublicKey(key));
    EXPECT_NE(pub.pem.find("BEGIN PUBLIC KEY"), std::string::npos);
  }
}

TEST_F(CryptoCoreTest, MacsAreDeterministicPerVersion) {
  for (KeyKind kind : {KeyKind::kHmacSha256, KeyKind::kHmacSha384, KeyKind::kHmacSm3}) {
    const std::string key = Key(keys::Info(kind).name);
    SCOPED_TRACE(key);
    YJ_ASSERT_OK(manager_->CreateKey(key, kind, std::nullopt, ""));
    YJ_ASSERT_OK_AND_ASSIGN(MacResult a, macs_->Mac(key, "citizen-id-110101"));
    YJ_ASSERT_OK_AND_ASSIGN(MacResult b, macs_->Mac(key, "citizen-id-110101"));
    EXPECT_EQ(a.mac, b.mac);
    YJ_ASSERT_OK_AND_ASSIGN(VerifyMacResult good, macs_->VerifyMac(key, "citizen-id-110101", a.mac));
    EXPECT_TRUE(good.valid);
    YJ_ASSERT_OK_AND_ASSIGN(VerifyMacResult bad, macs_->VerifyMac(key, "citizen-id-110102", a.mac));
    EXPECT_FALSE(bad.valid);
    YJ_ASSERT_OK_AND_ASSIGN(VerifyMacResult short_tag,
                            macs_->VerifyMac(key, "citizen-id-110101", a.mac.substr(1)));
    EXPECT_FALSE(short_tag.valid);
  }
}

TEST_F(CryptoCoreTest, WrongKindsUnknownKeysAndBadNames) {
  YJ_ASSERT_OK(manager_->CreateKey(Key("signer"), KeyKind::kEcdsaP256, std::nullopt, ""));
  absl::StatusOr<EncryptResult> wrong = encryption_->Encrypt(Key("signer"), "x", {});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find("ecdsa-p256"), absl::string_view::npos);
  EXPECT_EQ(macs_->Mac(Key("signer"), "x").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(encryption_->Encrypt(Key("nope"), "x", {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(encryption_->Encrypt("nodept/key", "x", {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(encryption_->Encrypt("Bad Name", "x", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(signatures_->Sign(Key("signer:7"), {"x", false}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->CreateKey(Key("signer"), KeyKind::kEcdsaP256, std::nullopt, "")
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(manager_->CreateKey(Key("sm"), KeyKind::kSm2, keys::Protection::kHsm, "")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->CreateDepartment(dept_, "", "").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(manager_->CreateDepartment("other", "", "no-such-token").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CryptoCoreTest, DisabledVersionsRefuseEveryOperation) {
  YJ_ASSERT_OK(manager_->CreateKey(Key("aes"), KeyKind::kAes256Gcm, std::nullopt, ""));
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult v1, encryption_->Encrypt(Key("aes"), "old", {}));
  // A second version becomes primary; version 1 is then disabled.
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyVersionRecord first,
                          store_->GetKeyVersion(dept_, "aes", 1));
  first.state = store::kVersionEnabled;
  YJ_ASSERT_OK(store_->AddKeyVersion(dept_, "aes", first, /*make_primary=*/true));
  YJ_ASSERT_OK(store_->SetVersionState(dept_, "aes", 1, store::kVersionDisabled));
  // Until told, the resolver keeps serving its cached records (within metadata_ttl).
  YJ_EXPECT_OK(encryption_->Decrypt(v1.ciphertext, {}));
  resolver_->Invalidate(dept_, "aes");
  absl::StatusOr<DecryptResult> refused = encryption_->Decrypt(v1.ciphertext, {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("disabled"), absl::string_view::npos);
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult v2, encryption_->Encrypt(Key("aes"), "new", {}));
  EXPECT_EQ(v2.key_version.version, 2);
}

TEST_F(CryptoCoreTest, AnotherReplicasChangesAreSeenAfterTheMetadataBound) {
  YJ_ASSERT_OK(manager_->CreateKey(Key("shared"), KeyKind::kAes256Gcm, std::nullopt, ""));
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult sealed, encryption_->Encrypt(Key("shared"), "x", {}));
  // A replica whose bound is zero always reads the store.
  KeyResolver replica(*store_, *tokens_, {.metadata_ttl = absl::ZeroDuration()});
  EncryptionService replica_encryption(replica);
  YJ_EXPECT_OK(replica_encryption.Decrypt(sealed.ciphertext, {}));
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyVersionRecord first, store_->GetKeyVersion(dept_, "shared", 1));
  YJ_ASSERT_OK(store_->AddKeyVersion(dept_, "shared", first, /*make_primary=*/true));
  YJ_ASSERT_OK(store_->SetVersionState(dept_, "shared", 1, store::kVersionDisabled));
  EXPECT_EQ(replica_encryption.Decrypt(sealed.ciphertext, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult newer, replica_encryption.Encrypt(Key("shared"), "y", {}));
  EXPECT_EQ(newer.key_version.version, 2);
}

}  // namespace
}  // namespace yinjian::core
