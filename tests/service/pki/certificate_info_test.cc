#include "service/pki/certificate_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "service/pki/certificate_authority.h"
#include "tests/service/pki/pki_test_util.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::pki {
namespace {

using ::yinjian::testing::CliFingerprintSha256;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

class CertificateInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_.emplace(std::move(dir));
    YJ_ASSERT_OK_AND_ASSIGN(ca_, CertificateAuthority::Create("Info CA", absl::Hours(24 * 30)));
    issued_at_ = absl::Now();
    YJ_ASSERT_OK_AND_ASSIGN(issued_, ca_->Issue({.common_name = "dana",
                                                 .organizational_unit = "treasury",
                                                 .validity = absl::Hours(2)}));
    YJ_ASSERT_OK_AND_ASSIGN(path_, dir_->WriteFile("dana.pem", issued_.certificate_pem));
  }

  std::optional<TempDir> dir_;
  std::unique_ptr<CertificateAuthority> ca_;
  absl::Time issued_at_;
  IssuedCertificate issued_;
  std::string path_;
};

TEST_F(CertificateInfoTest, ReportsNamesIssuerAndValidity) {
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(issued_.certificate_pem));
  EXPECT_EQ(info.common_name, "dana");
  EXPECT_EQ(info.organizational_unit, "treasury");
  EXPECT_EQ(info.issuer_common_name, "Info CA");
  EXPECT_EQ(info.fingerprint_sha256, issued_.fingerprint_sha256);
  // Backdated five minutes for clock skew, valid for the requested two hours from issuance.
  EXPECT_EQ(info.not_after - info.not_before, absl::Hours(2) + absl::Minutes(5));
  EXPECT_LE(info.not_before, issued_at_ - absl::Minutes(4));
  EXPECT_GE(info.not_before, issued_at_ - absl::Minutes(6));
}

TEST_F(CertificateInfoTest, FingerprintMatchesTheOpensslCli) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string cli, CliFingerprintSha256(path_));
  ASSERT_EQ(cli.size(), 64u);
  EXPECT_EQ(issued_.fingerprint_sha256, cli);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(issued_.certificate_pem));
  EXPECT_EQ(info.fingerprint_sha256, cli);
}

TEST_F(CertificateInfoTest, FingerprintIsSha256OfTheDer) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string der_path, dir_->WriteFile("dana.der", ""));
  YJ_ASSERT_OK(RunOpensslCliOk({"x509", "-in", path_, "-outform", "DER", "-out", der_path}));
  YJ_ASSERT_OK_AND_ASSIGN(std::string digest, RunOpensslCliOk({"dgst", "-sha256", "-r", der_path}));
  EXPECT_EQ(digest.substr(0, 64), issued_.fingerprint_sha256);

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> der, dir_->ReadFile("dana.der"));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo from_der, InspectCertificateDer(der));
  EXPECT_EQ(from_der.fingerprint_sha256, issued_.fingerprint_sha256);
  EXPECT_EQ(from_der.common_name, "dana");
  EXPECT_EQ(from_der.organizational_unit, "treasury");

  std::vector<uint8_t> trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(InspectCertificateDer(trailing).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<uint8_t> truncated(der.begin(), der.end() - 1);
  EXPECT_EQ(InspectCertificateDer(truncated).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CertificateInfoTest, SkipsTextBeforeThePemBlock) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string with_text, RunOpensslCliOk({"x509", "-in", path_, "-text"}));
  ASSERT_NE(with_text.find("Certificate:"), std::string::npos);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(with_text));
  EXPECT_EQ(info.fingerprint_sha256, issued_.fingerprint_sha256);
}

TEST_F(CertificateInfoTest, CertificateWithoutCommonNameHasEmptyName) {
  const std::string key = dir_->File("nocn.key");
  const std::string cert = dir_->File("nocn.pem");
  YJ_ASSERT_OK(RunOpensslCliOk({"req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                                "-subj", "/O=No Name Inc", "-days", "1"}));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> pem, dir_->ReadFile("nocn.pem"));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info,
                          InspectCertificate(std::string(pem.begin(), pem.end())));
  EXPECT_EQ(info.common_name, "");
  EXPECT_EQ(info.organizational_unit, "");
  EXPECT_EQ(info.issuer_common_name, "");
  YJ_ASSERT_OK_AND_ASSIGN(std::string cli, CliFingerprintSha256(cert));
  EXPECT_EQ(info.fingerprint_sha256, cli);
}

TEST_F(CertificateInfoTest, GarbageIsInvalidArgument) {
  const hsm::SecureBytes key_pem = ca_->private_key_pem();  // a copy: iterate one object
  const std::vector<std::string> garbage = {
      "",
      "hello",
      "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      std::string(key_pem.begin(), key_pem.end()),
  };
  for (const std::string& input : garbage) {
    EXPECT_EQ(InspectCertificate(input).status().code(), absl::StatusCode::kInvalidArgument)
        << input;
  }
  const std::vector<uint8_t> not_der = {0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_EQ(InspectCertificateDer(not_der).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InspectCertificateDer({}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::pki
