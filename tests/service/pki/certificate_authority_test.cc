#include "service/pki/certificate_authority.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "hsm/ossl_ptr.h"
#include "service/pki/pem_codec.h"
#include "tests/service/pki/pki_test_util.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::yinjian::testing::CertificateText;
using ::yinjian::testing::CliVerify;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

std::string AsString(const hsm::SecureBytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_.emplace(std::move(dir));
    YJ_ASSERT_OK_AND_ASSIGN(ca_, CertificateAuthority::Create("Test CA", absl::Hours(48)));
    YJ_ASSERT_OK_AND_ASSIGN(ca_path_, dir_->WriteFile("ca.pem", ca_->certificate_pem()));
  }

  // Writes `pem` to a file named `name` in the test directory and returns its path.
  std::string Write(const std::string& name, const std::string& pem) {
    absl::StatusOr<std::string> path = dir_->WriteFile(name, pem);
    EXPECT_TRUE(path.ok()) << path.status();
    return path.value_or("");
  }

  std::optional<TempDir> dir_;
  std::unique_ptr<CertificateAuthority> ca_;
  std::string ca_path_;
};

TEST_F(CertificateAuthorityTest, CaCertificateIsASelfSignedCa) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, CertificateText(ca_path_));
  EXPECT_THAT(text, HasSubstr("X509v3 Basic Constraints: critical"));
  EXPECT_THAT(text, HasSubstr("CA:TRUE"));
  EXPECT_THAT(text, HasSubstr("X509v3 Key Usage: critical"));
  EXPECT_THAT(text, HasSubstr("Certificate Sign, CRL Sign"));
  EXPECT_THAT(text, HasSubstr("X509v3 Subject Key Identifier"));
  EXPECT_THAT(text, HasSubstr("ecdsa-with-SHA256"));
  EXPECT_THAT(text, HasSubstr("NIST CURVE: P-256"));
  EXPECT_THAT(text, HasSubstr("Subject: O = Yinjian development, CN = Test CA"));
  YJ_ASSERT_OK_AND_ASSIGN(auto verified, CliVerify(ca_path_, ca_path_));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(ca_->info().common_name, "Test CA");
  EXPECT_EQ(ca_->info().issuer_common_name, "Test CA");
  EXPECT_GE(ca_->info().not_after - ca_->info().not_before, absl::Hours(48));
}

TEST_F(CertificateAuthorityTest, PrivateKeyIsPkcs8AndBelongsToTheCertificate) {
  const std::string key_pem = AsString(ca_->private_key_pem());
  EXPECT_THAT(key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  const std::string key_path = Write("ca.key", key_pem);
  YJ_ASSERT_OK_AND_ASSIGN(std::string from_key,
                          RunOpensslCliOk({"pkey", "-in", key_path, "-pubout"}));
  YJ_ASSERT_OK_AND_ASSIGN(std::string from_cert,
                          RunOpensslCliOk({"x509", "-in", ca_path_, "-noout", "-pubkey"}));
  EXPECT_EQ(from_key, from_cert);
}

TEST_F(CertificateAuthorityTest, ServerCertificateVerifiesAndCarriesItsNames) {
  YJ_ASSERT_OK_AND_ASSIGN(
      IssuedCertificate issued,
      ca_->Issue({.common_name = "api.example.test",
                  .organizational_unit = "payments",
                  .server = true,
                  .dns_names = {"localhost", "*.example.test"},
                  .ip_addresses = {"127.0.0.1", "::1", "2001:db8::1", "10.1.2.3"}}));
  const std::string path = Write("server.pem", issued.certificate_pem);
  YJ_ASSERT_OK_AND_ASSIGN(auto verified, CliVerify(ca_path_, path, "sslserver"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  YJ_ASSERT_OK_AND_ASSIGN(std::string text, CertificateText(path));
  EXPECT_THAT(text, HasSubstr("DNS:localhost, DNS:*.example.test, IP Address:127.0.0.1, "
                              "IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:0:0:1, "
                              "IP Address:10.1.2.3"));
  EXPECT_THAT(text, HasSubstr("TLS Web Server Authentication"));
  EXPECT_THAT(text, Not(HasSubstr("TLS Web Client Authentication")));
  EXPECT_THAT(text, HasSubstr("CA:FALSE"));
  EXPECT_THAT(text, HasSubstr("X509v3 Key Usage: critical\n                Digital Signature\n"));
  EXPECT_THAT(text, HasSubstr("X509v3 Authority Key Identifier"));
  EXPECT_THAT(text, HasSubstr("Subject: O = Yinjian development, OU = payments, "
                              "CN = api.example.test"));
  EXPECT_THAT(text, HasSubstr("Issuer: O = Yinjian development, CN = Test CA"));
  EXPECT_THAT(AsString(issued.private_key_pem), StartsWith("-----BEGIN PRIVATE KEY-----"));
}

TEST_F(CertificateAuthorityTest, ClientCertificateIsForClientsOnly) {
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate issued, ca_->Issue({.common_name = "alice"}));
  const std::string path = Write("alice.pem", issued.certificate_pem);
  YJ_ASSERT_OK_AND_ASSIGN(auto as_client, CliVerify(ca_path_, path, "sslclient"));
  EXPECT_EQ(as_client.exit_code, 0) << as_client.out << as_client.err;
  YJ_ASSERT_OK_AND_ASSIGN(auto as_server, CliVerify(ca_path_, path, "sslserver"));
  EXPECT_NE(as_server.exit_code, 0) << "a client certificate must not pass as a server's";

  YJ_ASSERT_OK_AND_ASSIGN(std::string text, CertificateText(path));
  EXPECT_THAT(text, HasSubstr("TLS Web Client Authentication"));
  EXPECT_THAT(text, Not(HasSubstr("TLS Web Server Authentication")));
  EXPECT_THAT(text, Not(HasSubstr("Subject Alternative Name")));
  EXPECT_THAT(text, HasSubstr("Subject: O = Yinjian development, CN = alice"));
}

TEST_F(CertificateAuthorityTest, IssuedKeyBelongsToIssuedCertificate) {
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate issued, ca_->Issue({.common_name = "bob"}));
  const std::string cert_path = Write("bob.pem", issued.certificate_pem);
  const std::string key_path = Write("bob.key", AsString(issued.private_key_pem));
  YJ_ASSERT_OK_AND_ASSIGN(std::string from_key,
                          RunOpensslCliOk({"pkey", "-in", key_path, "-pubout"}));
  YJ_ASSERT_OK_AND_ASSIGN(std::string from_cert,
                          RunOpensslCliOk({"x509", "-in", cert_path, "-noout", "-pubkey"}));
  EXPECT_EQ(from_key, from_cert);
  YJ_ASSERT_OK_AND_ASSIGN(std::string key_text,
                          RunOpensslCliOk({"pkey", "-in", key_path, "-noout", "-text"}));
  EXPECT_THAT(key_text, HasSubstr("NIST CURVE: P-256"));
  // A different key from the CA's.
  EXPECT_NE(issued.private_key_pem, ca_->private_key_pem());
}

TEST_F(CertificateAuthorityTest, CertificateFromAnotherCaFailsVerification) {
  YJ_ASSERT_OK_AND_ASSIGN(auto other, CertificateAuthority::Create("Other CA", absl::Hours(1)));
  YJ_ASSERT_OK_AND_ASSIGN(
      IssuedCertificate foreign,
      other->Issue({.common_name = "mallory", .server = true, .dns_names = {"localhost"}}));
  const std::string path = Write("foreign.pem", foreign.certificate_pem);
  YJ_ASSERT_OK_AND_ASSIGN(auto verified, CliVerify(ca_path_, path));
  EXPECT_NE(verified.exit_code, 0);
  EXPECT_THAT(verified.out + verified.err, HasSubstr("unable to get local issuer certificate"));
  EXPECT_EQ(ca_->CheckIssued(foreign.certificate_pem).code(), absl::StatusCode::kInvalidArgument);
  YJ_EXPECT_OK(other->CheckIssued(foreign.certificate_pem));
}

TEST_F(CertificateAuthorityTest, SerialsAreRandomPositiveAndAtMost128Bits) {
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate a, ca_->Issue({.common_name = "a"}));
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate b, ca_->Issue({.common_name = "a"}));
  std::string serials[2];
  for (int i = 0; i < 2; ++i) {
    YJ_ASSERT_OK_AND_ASSIGN(hsm::X509Ptr cert,
                            ParseCertificatePem((i == 0 ? a : b).certificate_pem));
    hsm::BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
    ASSERT_NE(serial, nullptr);
    EXPECT_FALSE(BN_is_negative(serial.get()));
    EXPECT_FALSE(BN_is_zero(serial.get()));
    EXPECT_LE(BN_num_bits(serial.get()), 128);
    EXPECT_GT(BN_num_bits(serial.get()), 64);  // fails with probability 2^-64
    char* hex = BN_bn2hex(serial.get());
    serials[i] = hex;
    OPENSSL_free(hex);
  }
  EXPECT_NE(serials[0], serials[1]);
  EXPECT_NE(a.fingerprint_sha256, b.fingerprint_sha256);
}

TEST_F(CertificateAuthorityTest, IssuedCertificateNeverOutlivesTheCa) {
  YJ_ASSERT_OK_AND_ASSIGN(auto short_lived, CertificateAuthority::Create("Brief", absl::Hours(1)));
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate issued,
                          short_lived->Issue({.common_name = "x", .validity = absl::Hours(24)}));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(issued.certificate_pem));
  EXPECT_EQ(info.not_after, short_lived->info().not_after);
  EXPECT_GE(info.not_before, short_lived->info().not_before);
}

TEST_F(CertificateAuthorityTest, RejectsBadRequestsWithInvalidArgument) {
  const std::vector<CertificateRequest> bad = {
      {.common_name = ""},
      {.common_name = std::string(65, 'a')},
      {.common_name = "x", .organizational_unit = std::string(65, 'b')},
      {.common_name = "x", .ip_addresses = {"1.2.3"}},
      {.common_name = "x", .ip_addresses = {"256.1.1.1"}},
      {.common_name = "x", .ip_addresses = {"::g"}},
      {.common_name = "x", .dns_names = {"bad name"}},
      {.common_name = "x", .validity = absl::ZeroDuration()},
  };
  for (const CertificateRequest& request : bad) {
    EXPECT_EQ(ca_->Issue(request).status().code(), absl::StatusCode::kInvalidArgument)
        << request.common_name << " " << request.organizational_unit;
  }
  EXPECT_EQ(CertificateAuthority::Create("", absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CertificateAuthority::Create("CA", absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CertificateAuthorityTest, SixtyFourCharacterNamesAreCountedInCharacters) {
  // 64 CJK characters are 192 bytes of UTF-8 but within RFC 5280's 64-character bound.
  std::string name;
  for (int i = 0; i < 64; ++i) name += "银";
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate issued,
                          ca_->Issue({.common_name = name, .organizational_unit = "财务部"}));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(issued.certificate_pem));
  EXPECT_EQ(info.common_name, name);
  EXPECT_EQ(info.organizational_unit, "财务部");
  EXPECT_EQ(ca_->Issue({.common_name = name + "银"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CertificateAuthorityTest, LoadedCaIssuesCertificatesThatVerifyAgainstTheOriginal) {
  YJ_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<CertificateAuthority> loaded,
      CertificateAuthority::Load(ca_->certificate_pem(), ca_->private_key_pem()));
  EXPECT_EQ(loaded->info().fingerprint_sha256, ca_->info().fingerprint_sha256);
  EXPECT_EQ(loaded->certificate_pem(), ca_->certificate_pem());
  YJ_ASSERT_OK_AND_ASSIGN(
      IssuedCertificate issued,
      loaded->Issue({.common_name = "svc", .server = true, .dns_names = {"svc.local"}}));
  const std::string path = Write("svc.pem", issued.certificate_pem);
  YJ_ASSERT_OK_AND_ASSIGN(auto verified, CliVerify(ca_path_, path, "sslserver"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  YJ_EXPECT_OK(ca_->CheckIssued(issued.certificate_pem));
}

TEST_F(CertificateAuthorityTest, LoadRejectsAKeyOfAnotherCa) {
  YJ_ASSERT_OK_AND_ASSIGN(auto other, CertificateAuthority::Create("Other CA", absl::Hours(1)));
  absl::StatusOr<std::unique_ptr<CertificateAuthority>> loaded =
      CertificateAuthority::Load(ca_->certificate_pem(), other->private_key_pem());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr("does not belong"));
}

TEST_F(CertificateAuthorityTest, LoadRejectsGarbageLeavesAndEncryptedKeys) {
  const hsm::SecureBytes key = ca_->private_key_pem();
  EXPECT_EQ(CertificateAuthority::Load("not a certificate", key).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  EXPECT_EQ(
      CertificateAuthority::Load(ca_->certificate_pem(), hsm::ToBytes(garbage)).status().code(),
      absl::StatusCode::kInvalidArgument);

  // A leaf certificate with its own key is a matching pair, but not a CA.
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate leaf, ca_->Issue({.common_name = "leaf"}));
  absl::StatusOr<std::unique_ptr<CertificateAuthority>> from_leaf =
      CertificateAuthority::Load(leaf.certificate_pem, leaf.private_key_pem);
  EXPECT_EQ(from_leaf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(from_leaf.status().message(), HasSubstr("not a CA"));

  // An encrypted key fails instead of prompting for a password.
  const std::string key_path = Write("ca.key", AsString(key));
  YJ_ASSERT_OK_AND_ASSIGN(std::string encrypted,
                          RunOpensslCliOk({"pkcs8", "-topk8", "-in", key_path, "-v2", "aes-256-cbc",
                                           "-passout", "pass:secret"}));
  ASSERT_THAT(encrypted, HasSubstr("ENCRYPTED PRIVATE KEY"));
  EXPECT_EQ(
      CertificateAuthority::Load(ca_->certificate_pem(), hsm::ToBytes(encrypted)).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(CertificateAuthorityTest, LoadsACaMadeByTheOpensslCli) {
  const std::string key_path = dir_->File("cli-ca.key");
  const std::string cert_path = dir_->File("cli-ca.pem");
  // `openssl req -x509` adds basicConstraints CA:TRUE and key identifiers by default.
  YJ_ASSERT_OK(RunOpensslCliOk({"req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key_path, "-out",
                                cert_path, "-subj", "/CN=CLI CA", "-days", "2"}));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> cert_pem, dir_->ReadFile("cli-ca.pem"));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> key_pem, dir_->ReadFile("cli-ca.key"));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<CertificateAuthority> cli_ca,
      CertificateAuthority::Load(std::string(cert_pem.begin(), cert_pem.end()), key_pem));
  EXPECT_EQ(cli_ca->info().common_name, "CLI CA");
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate issued, cli_ca->Issue({.common_name = "carol"}));
  const std::string path = Write("carol.pem", issued.certificate_pem);
  YJ_ASSERT_OK_AND_ASSIGN(auto verified, CliVerify(cert_path, path, "sslclient"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  YJ_ASSERT_OK_AND_ASSIGN(auto against_ours, CliVerify(ca_path_, path));
  EXPECT_NE(against_ours.exit_code, 0);
}

}  // namespace
}  // namespace yinjian::pki
