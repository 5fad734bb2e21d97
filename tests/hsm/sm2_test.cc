#include "hsm/sm2.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "absl/strings/match.h"
#include "hsm/public_key.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::RunOpensslCli;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

const std::string kDistId = "distid:1234567812345678";

// Runs `openssl pkeyutl -verify` for SM3 over the raw message with the given distinguishing ID.
bool CliVerifies(const TempDir& dir, const Bytes& spki, const Bytes& message, const Bytes& sig,
                 const std::string& distid = kDistId) {
  absl::StatusOr<std::string> pem = SpkiDerToPem(spki);
  if (!pem.ok() || !dir.WriteFile("pub.pem", *pem).ok() || !dir.WriteFile("msg", message).ok() ||
      !dir.WriteFile("sig", sig).ok()) {
    ADD_FAILURE() << "cannot write verification inputs";
    return false;
  }
  absl::StatusOr<testing::ProcessResult> result = RunOpensslCli(
      {"pkeyutl", "-verify", "-in", dir.File("msg"), "-sigfile", dir.File("sig"), "-pubin",
       "-inkey", dir.File("pub.pem"), "-rawin", "-digest", "sm3", "-pkeyopt", distid});
  if (!result.ok()) {
    ADD_FAILURE() << result.status();
    return false;
  }
  return result->exit_code == 0 &&
         absl::StrContains(result->out, "Signature Verified Successfully");
}

// Generates an SM2 key with the CLI; leaves key.pem, pub.der and key.p8.der in `dir`.
absl::Status CliGenerateKey(const TempDir& dir) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"genpkey", "-algorithm", "SM2", "-out", dir.File("key.pem")},
           {"pkey", "-in", dir.File("key.pem"), "-pubout", "-outform", "DER", "-out",
            dir.File("pub.der")},
           {"pkcs8", "-topk8", "-nocrypt", "-in", dir.File("key.pem"), "-outform", "DER", "-out",
            dir.File("key.p8.der")}}) {
    absl::StatusOr<std::string> out = RunOpensslCliOk(args);
    if (!out.ok()) return out.status();
  }
  return absl::OkStatus();
}

// Signs `message` with the CLI key in `dir` and returns the DER signature.
absl::StatusOr<Bytes> CliSign(const TempDir& dir, const Bytes& message,
                              const std::string& distid = kDistId) {
  absl::StatusOr<std::string> msg_path = dir.WriteFile("to_sign", message);
  if (!msg_path.ok()) return msg_path.status();
  absl::StatusOr<std::string> out =
      RunOpensslCliOk({"pkeyutl", "-sign", "-in", *msg_path, "-inkey", dir.File("key.pem"), "-out",
                       dir.File("cli.sig"), "-rawin", "-digest", "sm3", "-pkeyopt", distid});
  if (!out.ok()) return out.status();
  return dir.ReadFile("cli.sig");
}

TEST(Sm2Test, SignThenVerifyRoundTrip) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  for (const Bytes& message : {ToBytes("message digest"), Bytes()}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, Sm2Sign(key, message));
    YJ_ASSERT_OK_AND_ASSIGN(bool valid, Sm2Verify(spki, message, sig));
    EXPECT_TRUE(valid);
  }
}

TEST(Sm2Test, SignaturesAreRandomisedAndBothVerify) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes a, Sm2Sign(key, ToBytes("m")));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes b, Sm2Sign(key, ToBytes("m")));
  EXPECT_NE(a, b);
  YJ_ASSERT_OK_AND_ASSIGN(bool b_valid, Sm2Verify(spki, ToBytes("m"), b));
  EXPECT_TRUE(b_valid);
}

TEST(Sm2Test, TamperedMessageOrSignatureIsFalse) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  const Bytes message = ToBytes("transfer 100");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, Sm2Sign(key, message));

  YJ_ASSERT_OK_AND_ASSIGN(bool other_message, Sm2Verify(spki, ToBytes("transfer 900"), sig));
  EXPECT_FALSE(other_message);
  for (size_t i = 0; i < sig.size(); ++i) {
    Bytes bad = sig;
    bad[i] ^= 0x01;
    YJ_ASSERT_OK_AND_ASSIGN(bool valid, Sm2Verify(spki, message, bad));
    EXPECT_FALSE(valid) << "byte " << i;
  }
  YJ_ASSERT_OK_AND_ASSIGN(bool garbage, Sm2Verify(spki, message, ToBytes("not a signature")));
  EXPECT_FALSE(garbage);
  YJ_ASSERT_OK_AND_ASSIGN(bool empty, Sm2Verify(spki, message, Bytes()));
  EXPECT_FALSE(empty);
}

TEST(Sm2Test, KeysAreSm2NotGenericEc) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  YJ_ASSERT_OK_AND_ASSIGN(EvpPkeyPtr parsed, ParseSpkiDer(spki));
  EXPECT_TRUE(EVP_PKEY_is_a(parsed.get(), "SM2"));
}

TEST(Sm2Test, PrivateKeyIsPkcs8ThatOpensslReads) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  YJ_ASSERT_OK_AND_ASSIGN(std::string key_path,
                          dir.WriteFile("key.der", Bytes(key.begin(), key.end())));
  YJ_ASSERT_OK(RunOpensslCliOk(
      {"pkcs8", "-nocrypt", "-inform", "DER", "-in", key_path, "-out", dir.File("key.pem")}));
  YJ_ASSERT_OK(RunOpensslCliOk({"pkey", "-in", dir.File("key.pem"), "-pubout", "-outform", "DER",
                                "-out", dir.File("pub.der")}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes cli_spki, dir.ReadFile("pub.der"));
  EXPECT_EQ(cli_spki, spki);
}

TEST(Sm2Test, OpensslCliVerifiesOurSignatures) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  const Bytes message = ToBytes("signed by Yinjian");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, Sm2Sign(key, message));
  EXPECT_TRUE(CliVerifies(dir, spki, message, sig));
  EXPECT_FALSE(CliVerifies(dir, spki, ToBytes("signed by someone else"), sig));
  // The distinguishing ID is part of what is signed: another ID must not verify.
  EXPECT_FALSE(CliVerifies(dir, spki, message, sig, "distid:ALICE123@YAHOO.COM"));
}

TEST(Sm2Test, WeVerifyOpensslCliSignatures) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK(CliGenerateKey(dir));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, dir.ReadFile("pub.der"));
  const Bytes message = ToBytes("signed by the openssl CLI");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(dir, message));
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, Sm2Verify(spki, message, sig));
  EXPECT_TRUE(valid);
  YJ_ASSERT_OK_AND_ASSIGN(bool tampered,
                          Sm2Verify(spki, ToBytes("signed by the openssl CLi"), sig));
  EXPECT_FALSE(tampered);

  YJ_ASSERT_OK_AND_ASSIGN(Bytes other_id_sig, CliSign(dir, message, "distid:ALICE123@YAHOO.COM"));
  YJ_ASSERT_OK_AND_ASSIGN(bool other_id, Sm2Verify(spki, message, other_id_sig));
  EXPECT_FALSE(other_id);
}

TEST(Sm2Test, WeSignWithOpensslCliGeneratedPkcs8) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK(CliGenerateKey(dir));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes p8, dir.ReadFile("key.p8.der"));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes cli_spki, dir.ReadFile("pub.der"));
  const SecureBytes key(p8.begin(), p8.end());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, Sm2PublicKeySpki(key));
  EXPECT_EQ(spki, cli_spki);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, Sm2Sign(key, ToBytes("abc")));
  EXPECT_TRUE(CliVerifies(dir, spki, ToBytes("abc"), sig));
}

TEST(Sm2Test, RejectsNonSm2Keys) {
  // A P-256 key as PKCS#8 is not an SM2 key, even though both are EC keys.
  EvpPkeyPtr p256(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(p256, nullptr);
  unsigned char* der = nullptr;
  OsslEncoderCtxPtr encoder(OSSL_ENCODER_CTX_new_for_pkey(p256.get(), EVP_PKEY_KEYPAIR, "DER",
                                                          "PrivateKeyInfo", nullptr));
  size_t der_len = 0;
  ASSERT_EQ(OSSL_ENCODER_to_data(encoder.get(), &der, &der_len), 1);
  const SecureBytes p256_pkcs8(der, der + der_len);
  OPENSSL_clear_free(der, der_len);
  EXPECT_EQ(Sm2Sign(p256_pkcs8, ToBytes("m")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Sm2PublicKeySpki(p256_pkcs8).status().code(), absl::StatusCode::kInvalidArgument);

  YJ_ASSERT_OK_AND_ASSIGN(Bytes p256_spki, EncodeSpkiDer(p256.get()));
  EXPECT_EQ(Sm2Verify(p256_spki, ToBytes("m"), Bytes(70)).status().code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(Sm2Sign(SecureBytes{1, 2, 3}, ToBytes("m")).status().code(),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm2Key());
  SecureBytes trailing = key;
  trailing.push_back(0);
  EXPECT_EQ(Sm2Sign(trailing, ToBytes("m")).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::hsm
