// Public keys exported from a real SoftHSM token as SPKI: the `openssl` CLI parses them as the
// right type and size, re-encodes them to the same DER, and verifies signatures the HSM made.
#include "hsm/public_key_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "hsm/key_generation.h"
#include "hsm/public_key.h"
#include "hsm/signing.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

using ::testing::HasSubstr;
using ::yinjian::testing::Hex;
using ::yinjian::testing::ProcessResult;
using ::yinjian::testing::RunOpensslCli;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

class PublicKeyExportTest : public ::yinjian::testing::TokenTest {
 protected:
  // Exports `public_key`, checks `openssl pkey -text` on its PEM mentions every one of
  // `expected_text`, checks OpenSSL re-encodes it to the same DER, and leaves the PEM in
  // dir/pub.pem. Returns the SPKI DER.
  static void ExportAndInspect(const TempDir& dir, CK_OBJECT_HANDLE public_key,
                               const std::vector<std::string>& expected_text, Bytes* spki_out) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, ExportPublicKeySpki(token(), public_key));
    YJ_ASSERT_OK_AND_ASSIGN(std::string pem, SpkiDerToPem(spki));
    EXPECT_TRUE(absl::StartsWith(pem, "-----BEGIN PUBLIC KEY-----")) << pem;
    YJ_ASSERT_OK_AND_ASSIGN(std::string pem_path, dir.WriteFile("pub.pem", pem));
    YJ_ASSERT_OK_AND_ASSIGN(
        std::string text, RunOpensslCliOk({"pkey", "-pubin", "-in", pem_path, "-text", "-noout"}));
    for (const std::string& expected : expected_text) {
      EXPECT_THAT(text, HasSubstr(expected));
    }
    const std::string der_path = dir.File("pub.der");
    YJ_ASSERT_OK(
        RunOpensslCliOk({"pkey", "-pubin", "-in", pem_path, "-outform", "DER", "-out", der_path}));
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> reencoded, dir.ReadFile("pub.der"));
    EXPECT_EQ(Hex(reencoded), Hex(spki)) << "OpenSSL re-encodes the SPKI differently";
    *spki_out = std::move(spki);
  }

  // Signs `message` in the HSM and verifies it with the openssl CLI against dir/pub.pem; then
  // checks the CLI rejects the signature over a different message.
  static void SignAndVerifyWithCli(const TempDir& dir, CK_OBJECT_HANDLE private_key,
                                   SignatureAlgorithm algorithm,
                                   const std::vector<std::string>& verify_args) {
    const Bytes message = ToBytes("exported keys must verify what the HSM signs");
    YJ_ASSERT_OK_AND_ASSIGN(Bytes signature, SignMessage(token(), private_key, algorithm, message));
    YJ_ASSERT_OK_AND_ASSIGN(std::string msg_path, dir.WriteFile("msg", message));
    YJ_ASSERT_OK_AND_ASSIGN(std::string other_path, dir.WriteFile("other", ToBytes("tampered")));
    YJ_ASSERT_OK_AND_ASSIGN(std::string sig_path, dir.WriteFile("sig", signature));
    for (const auto& [path, should_verify] : {std::pair{msg_path, true}, {other_path, false}}) {
      std::vector<std::string> args = verify_args;
      for (std::string& arg : args) {
        if (arg == "$PUB") arg = dir.File("pub.pem");
        if (arg == "$SIG") arg = sig_path;
        if (arg == "$MSG") arg = path;
      }
      YJ_ASSERT_OK_AND_ASSIGN(ProcessResult result, RunOpensslCli(args));
      if (should_verify) {
        EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
        EXPECT_TRUE(absl::StrContains(result.out, "Verified OK") ||
                    absl::StrContains(result.out, "Signature Verified Successfully"))
            << result.out;
      } else {
        EXPECT_NE(result.exit_code, 0) << "tampered message verified: " << result.out;
      }
    }
  }
};

const std::vector<std::string> kDgstVerify = {"dgst",       "-sha256", "-verify", "$PUB",
                                              "-signature", "$SIG",    "$MSG"};

TEST_F(PublicKeyExportTest, EcP256) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  Bytes spki;
  ExportAndInspect(dir, pair.public_key.handle(), {"Public-Key: (256 bit)", "P-256"}, &spki);
  EXPECT_EQ(spki.size(), 91u);
  SignAndVerifyWithCli(dir, pair.private_key.handle(), SignatureAlgorithm::kEcdsaSha256,
                       kDgstVerify);
}

TEST_F(PublicKeyExportTest, EcP384) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEcKeyPair(token(), EcCurve::kP384, {}));
  Bytes spki;
  ExportAndInspect(dir, pair.public_key.handle(), {"Public-Key: (384 bit)", "P-384"}, &spki);
  EXPECT_EQ(spki.size(), 120u);
  SignAndVerifyWithCli(dir, pair.private_key.handle(), SignatureAlgorithm::kEcdsaSha384,
                       {"dgst", "-sha384", "-verify", "$PUB", "-signature", "$SIG", "$MSG"});
}

TEST_F(PublicKeyExportTest, Ed25519) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEd25519KeyPair(token(), {}));
  Bytes spki;
  ExportAndInspect(dir, pair.public_key.handle(), {"ED25519 Public-Key"}, &spki);
  EXPECT_EQ(spki.size(), 44u);
  SignAndVerifyWithCli(dir, pair.private_key.handle(), SignatureAlgorithm::kEd25519,
                       {"pkeyutl", "-verify", "-pubin", "-inkey", "$PUB", "-rawin", "-in", "$MSG",
                        "-sigfile", "$SIG"});
}

TEST_F(PublicKeyExportTest, Rsa2048Pkcs1AndPss) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateRsaKeyPair(token(), 2048, {}));
  Bytes spki;
  ExportAndInspect(dir, pair.public_key.handle(),
                   {"Public-Key: (2048 bit)", "Exponent: 65537 (0x10001)"}, &spki);
  SignAndVerifyWithCli(dir, pair.private_key.handle(), SignatureAlgorithm::kRsaPkcs1Sha256,
                       kDgstVerify);
  SignAndVerifyWithCli(dir, pair.private_key.handle(), SignatureAlgorithm::kRsaPssSha256,
                       {"dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                        "rsa_pss_saltlen:digest", "-verify", "$PUB", "-signature", "$SIG", "$MSG"});
}

TEST_F(PublicKeyExportTest, PssSaltIsDigestLength) {
  // A PSS signature checked with a different required salt length must fail: the HSM really
  // used a 32-byte salt, not OpenSSL's "auto" maximum.
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateRsaKeyPair(token(), 2048, {}));
  Bytes spki;
  ExportAndInspect(dir, pair.public_key.handle(), {"Public-Key: (2048 bit)"}, &spki);
  const Bytes message = ToBytes("salt");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes signature, SignMessage(token(), pair.private_key.handle(),
                                                       SignatureAlgorithm::kRsaPssSha256, message));
  YJ_ASSERT_OK_AND_ASSIGN(std::string msg_path, dir.WriteFile("msg", message));
  YJ_ASSERT_OK_AND_ASSIGN(std::string sig_path, dir.WriteFile("sig", signature));
  for (const auto& [saltlen, ok] : {std::pair{"32", true}, {"20", false}, {"max", false}}) {
    YJ_ASSERT_OK_AND_ASSIGN(
        ProcessResult result,
        RunOpensslCli({"dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                       std::string("rsa_pss_saltlen:") + saltlen, "-verify", dir.File("pub.pem"),
                       "-signature", sig_path, msg_path}));
    EXPECT_EQ(result.exit_code == 0, ok)
        << "saltlen " << saltlen << ": " << result.out << result.err;
  }
}

TEST_F(PublicKeyExportTest, SecretKeyIsFailedPrecondition) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes, GenerateAesKey(token(), 32, {}));
  absl::StatusOr<Bytes> spki = ExportPublicKeySpki(token(), aes.handle());
  ASSERT_FALSE(spki.ok());
  EXPECT_EQ(spki.status().code(), absl::StatusCode::kFailedPrecondition) << spki.status();
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject hmac, GenerateGenericSecret(token(), 32, {}));
  spki = ExportPublicKeySpki(token(), hmac.handle());
  ASSERT_FALSE(spki.ok());
  EXPECT_EQ(spki.status().code(), absl::StatusCode::kFailedPrecondition) << spki.status();
}

TEST_F(PublicKeyExportTest, PrivateKeyHandleIsNotExported) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ec, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  absl::StatusOr<Bytes> spki = ExportPublicKeySpki(token(), ec.private_key.handle());
  std::cout << "export of EC private key handle: " << spki.status() << "\n";
  EXPECT_EQ(spki.status().code(), absl::StatusCode::kFailedPrecondition) << spki.status();
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair rsa, GenerateRsaKeyPair(token(), 2048, {}));
  spki = ExportPublicKeySpki(token(), rsa.private_key.handle());
  std::cout << "export of RSA private key handle: " << spki.status() << "\n";
  EXPECT_EQ(spki.status().code(), absl::StatusCode::kFailedPrecondition) << spki.status();
}

TEST_F(PublicKeyExportTest, DestroyedHandleIsNotFound) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  const CK_OBJECT_HANDLE handle = pair.public_key.handle();
  YJ_ASSERT_OK(ExportPublicKeySpki(token(), handle));
  YJ_ASSERT_OK(pair.public_key.Destroy());
  absl::StatusOr<Bytes> spki = ExportPublicKeySpki(token(), handle);
  ASSERT_FALSE(spki.ok());
  EXPECT_EQ(spki.status().code(), absl::StatusCode::kNotFound) << spki.status();
  std::cout << "export of destroyed handle: " << spki.status() << "\n";
}

}  // namespace
}  // namespace yinjian::hsm
