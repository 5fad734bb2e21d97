#include "hsm/software_verify.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

struct Case {
  std::string name;
  SignatureAlgorithm algorithm;
  std::string key;                     // which CLI-generated key signs
  std::string wrong_key;               // a key of another family
  std::vector<std::string> sign_args;  // openssl args; KEY, MSG and SIG are substituted
};

std::vector<std::string> Dgst(const std::string& hash, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"dgst", "-" + hash, "-sign", "KEY", "-out", "SIG"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("MSG");
  return args;
}

std::vector<std::string> Pss(const std::string& hash) {
  return Dgst(hash, {"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
                     "-sigopt", "rsa_mgf1_md:" + hash});
}

const std::vector<std::string> kEd25519Sign = {"pkeyutl", "-sign", "-rawin", "-inkey", "KEY",
                                               "-in",     "MSG",   "-out",   "SIG"};
const std::vector<std::string> kSm2Sign = {
    "pkeyutl", "-sign", "-rawin", "-digest", "sm3",  "-pkeyopt", "distid:1234567812345678",
    "-inkey",  "KEY",   "-in",    "MSG",     "-out", "SIG"};

// Keys are generated once with the openssl CLI (independent of the code under test).
class SoftwareVerifyTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<TempDir> dir = TempDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_.emplace(std::move(*dir));
    const std::map<std::string, std::vector<std::string>> genpkey = {
        {"ec256", {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}},
        {"ec384", {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}},
        {"rsa", {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}},
        {"ed25519", {"-algorithm", "ED25519"}},
        {"sm2", {"-algorithm", "SM2"}},
    };
    for (const auto& [name, opts] : genpkey) {
      std::vector<std::string> args = {"genpkey", "-out", dir_->File(name + ".pem")};
      args.insert(args.end(), opts.begin(), opts.end());
      YJ_ASSERT_OK(RunOpensslCliOk(args));
      YJ_ASSERT_OK(RunOpensslCliOk({"pkey", "-in", dir_->File(name + ".pem"), "-pubout", "-outform",
                                    "DER", "-out", dir_->File(name + ".der")}));
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static Bytes Spki(const std::string& key) { return *dir_->ReadFile(key + ".der"); }

  // Signs `message` with the CLI as `c` describes.
  static absl::StatusOr<Bytes> CliSign(const Case& c, const Bytes& message,
                                       std::optional<std::vector<std::string>> args = {}) {
    absl::StatusOr<std::string> msg = dir_->WriteFile("msg", message);
    if (!msg.ok()) return msg.status();
    std::vector<std::string> argv = args.value_or(c.sign_args);
    for (std::string& arg : argv) {
      if (arg == "KEY") arg = dir_->File(c.key + ".pem");
      if (arg == "MSG") arg = *msg;
      if (arg == "SIG") arg = dir_->File("sig");
    }
    absl::StatusOr<std::string> out = RunOpensslCliOk(argv);
    if (!out.ok()) return out.status();
    return dir_->ReadFile("sig");
  }

  static inline std::optional<TempDir> dir_;
};

const Bytes kMessage = ToBytes("The quick brown fox jumps over the lazy dog");

TEST_P(SoftwareVerifyTest, VerifiesCliSignature) {
  const Case& c = GetParam();
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(c, kMessage));
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, VerifySignature(Spki(c.key), c.algorithm, kMessage, sig));
  EXPECT_TRUE(valid);
}

TEST_P(SoftwareVerifyTest, TamperedMessageOrSignatureIsFalse) {
  const Case& c = GetParam();
  const Bytes spki = Spki(c.key);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(c, kMessage));
  Bytes message = kMessage;
  message[4] ^= 0x20;
  YJ_ASSERT_OK_AND_ASSIGN(bool tampered_message, VerifySignature(spki, c.algorithm, message, sig));
  EXPECT_FALSE(tampered_message);

  std::vector<Bytes> bad_sigs = {Bytes(), Bytes(sig.begin(), sig.end() - 1), ToBytes("junk")};
  for (size_t i : {size_t{0}, sig.size() / 2, sig.size() - 1}) {
    Bytes flipped = sig;
    flipped[i] ^= 0x01;
    bad_sigs.push_back(flipped);
  }
  Bytes extended = sig;
  extended.push_back(0);
  bad_sigs.push_back(extended);
  for (const Bytes& bad : bad_sigs) {
    YJ_ASSERT_OK_AND_ASSIGN(bool valid, VerifySignature(spki, c.algorithm, kMessage, bad));
    EXPECT_FALSE(valid) << "signature length " << bad.size();
  }
}

// A key parsed once serves many verifications, from several threads, with the same answers.
TEST_P(SoftwareVerifyTest, AParsedKeyVerifiesRepeatedlyAndConcurrently) {
  const Case& c = GetParam();
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(c, kMessage));
  YJ_ASSERT_OK_AND_ASSIGN(const VerifyingKey key, VerifyingKey::Parse(Spki(c.key), c.algorithm));
  Bytes other = kMessage;
  other[0] ^= 1;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        absl::StatusOr<bool> good = key.Verify(kMessage, sig);
        absl::StatusOr<bool> bad = key.Verify(other, sig);
        if (!good.ok() || !*good || !bad.ok() || *bad) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(VerifyingKey::Parse(Spki(c.wrong_key), c.algorithm).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SoftwareVerifyTest, KeyOfWrongTypeIsInvalidArgument) {
  const Case& c = GetParam();
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(c, kMessage));
  EXPECT_EQ(VerifySignature(Spki(c.wrong_key), c.algorithm, kMessage, sig).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifySignature(ToBytes("not a key"), c.algorithm, kMessage, sig).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(SoftwareVerifyTest, DigestVerification) {
  const Case& c = GetParam();
  const Bytes spki = Spki(c.key);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(c, kMessage));
  const std::optional<DigestAlgorithm> hash = DigestOf(c.algorithm);
  if (c.algorithm == SignatureAlgorithm::kEd25519 || c.algorithm == SignatureAlgorithm::kSm2Sm3) {
    EXPECT_EQ(VerifyDigestSignature(spki, c.algorithm, Bytes(32), sig).status().code(),
              absl::StatusCode::kInvalidArgument);
    return;
  }
  YJ_ASSERT_OK_AND_ASSIGN(Bytes digest, SoftwareDigest(*hash, kMessage));
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, VerifyDigestSignature(spki, c.algorithm, digest, sig));
  EXPECT_TRUE(valid);
  digest[0] ^= 0x01;
  YJ_ASSERT_OK_AND_ASSIGN(bool tampered, VerifyDigestSignature(spki, c.algorithm, digest, sig));
  EXPECT_FALSE(tampered);
  digest.push_back(0);
  EXPECT_EQ(VerifyDigestSignature(spki, c.algorithm, digest, sig).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyDigestSignature(Spki(c.wrong_key), c.algorithm, Bytes(DigestLength(*hash)), sig)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, SoftwareVerifyTest,
    ::testing::Values(
        Case{"EcdsaP256Sha256", SignatureAlgorithm::kEcdsaSha256, "ec256", "rsa", Dgst("sha256")},
        Case{"EcdsaP384Sha384", SignatureAlgorithm::kEcdsaSha384, "ec384", "sm2", Dgst("sha384")},
        Case{"EcdsaP384Sha512", SignatureAlgorithm::kEcdsaSha512, "ec384", "ed25519",
             Dgst("sha512")},
        Case{"RsaPkcs1Sha256", SignatureAlgorithm::kRsaPkcs1Sha256, "rsa", "ec256", Dgst("sha256")},
        Case{"RsaPkcs1Sha384", SignatureAlgorithm::kRsaPkcs1Sha384, "rsa", "ec384", Dgst("sha384")},
        Case{"RsaPkcs1Sha512", SignatureAlgorithm::kRsaPkcs1Sha512, "rsa", "ed25519",
             Dgst("sha512")},
        Case{"RsaPssSha256", SignatureAlgorithm::kRsaPssSha256, "rsa", "ec256", Pss("sha256")},
        Case{"RsaPssSha384", SignatureAlgorithm::kRsaPssSha384, "rsa", "sm2", Pss("sha384")},
        Case{"RsaPssSha512", SignatureAlgorithm::kRsaPssSha512, "rsa", "ec384", Pss("sha512")},
        Case{"Ed25519", SignatureAlgorithm::kEd25519, "ed25519", "ec256", kEd25519Sign},
        Case{"Sm2Sm3", SignatureAlgorithm::kSm2Sm3, "sm2", "ec256", kSm2Sign}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The scheme's parameters are part of the check, not just the key.
TEST_F(SoftwareVerifyTest, RsaParametersMustMatchExactly) {
  const Case pss{"", SignatureAlgorithm::kRsaPssSha256, "rsa", "", {}};
  const Bytes spki = Spki("rsa");

  YJ_ASSERT_OK_AND_ASSIGN(Bytes max_salt,
                          CliSign(pss, kMessage,
                                  Dgst("sha256", {"-sigopt", "rsa_padding_mode:pss", "-sigopt",
                                                  "rsa_pss_saltlen:max"})));
  YJ_ASSERT_OK_AND_ASSIGN(bool max_salt_ok, VerifySignature(spki, SignatureAlgorithm::kRsaPssSha256,
                                                            kMessage, max_salt));
  EXPECT_FALSE(max_salt_ok) << "salt length must equal the hash length";

  YJ_ASSERT_OK_AND_ASSIGN(Bytes pkcs1, CliSign(pss, kMessage, Dgst("sha256")));
  YJ_ASSERT_OK_AND_ASSIGN(
      bool pkcs1_as_pss, VerifySignature(spki, SignatureAlgorithm::kRsaPssSha256, kMessage, pkcs1));
  EXPECT_FALSE(pkcs1_as_pss);
  YJ_ASSERT_OK_AND_ASSIGN(
      bool wrong_hash, VerifySignature(spki, SignatureAlgorithm::kRsaPkcs1Sha384, kMessage, pkcs1));
  EXPECT_FALSE(wrong_hash);
}

TEST_F(SoftwareVerifyTest, Sm2SignatureWithOtherIdIsFalse) {
  const Case sm2{"", SignatureAlgorithm::kSm2Sm3, "sm2", "", {}};
  std::vector<std::string> args = kSm2Sign;
  for (std::string& arg : args) {
    if (arg == "distid:1234567812345678") arg = "distid:ALICE123@YAHOO.COM";
  }
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sig, CliSign(sm2, kMessage, args));
  YJ_ASSERT_OK_AND_ASSIGN(bool valid,
                          VerifySignature(Spki("sm2"), SignatureAlgorithm::kSm2Sm3, kMessage, sig));
  EXPECT_FALSE(valid);
}

}  // namespace
}  // namespace yinjian::hsm
