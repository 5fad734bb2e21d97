// The locally made key and CSR, checked by an independent parser (the openssl command line) and
// by the server's own CA code, which issues a certificate for it.
#include "cli/certificate_signing_request.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "service/pki/certificate_authority.h"
#include "service/pki/certificate_info.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

TEST(CertificateSigningRequestTest, OpensslVerifiesTheRequestAndReadsItsSubject) {
  YJ_ASSERT_OK_AND_ASSIGN(const KeyAndCsr made, GenerateKeyAndCsr("alice"));
  ASSERT_NE(made.key, nullptr);
  EXPECT_TRUE(absl::StartsWith(made.csr_pem, "-----BEGIN CERTIFICATE REQUEST-----\n"));
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string csr, dir.WriteFile("alice.csr", made.csr_pem));

  // -verify exits non-zero (and RunOpensslCliOk fails) if the self-signature is bad.
  YJ_ASSERT_OK_AND_ASSIGN(const std::string text,
                          RunOpensslCliOk({"req", "-in", csr, "-verify", "-noout", "-text"}));
  EXPECT_TRUE(absl::StrContains(text, "Subject: CN = alice")) << text;
  EXPECT_TRUE(absl::StrContains(text, "NIST CURVE: P-256")) << text;
  EXPECT_TRUE(absl::StrContains(text, "ecdsa-with-SHA256")) << text;
}

TEST(CertificateSigningRequestTest, EachCallMakesAFreshKey) {
  YJ_ASSERT_OK_AND_ASSIGN(const KeyAndCsr first, GenerateKeyAndCsr("alice"));
  YJ_ASSERT_OK_AND_ASSIGN(const KeyAndCsr second, GenerateKeyAndCsr("alice"));
  EXPECT_NE(EVP_PKEY_eq(first.key.get(), second.key.get()), 1);
  EXPECT_NE(first.csr_pem, second.csr_pem);
}

TEST(CertificateSigningRequestTest, NamesACertificateCannotCarryAreRejected) {
  for (const std::string& name : {std::string(), std::string(65, 'a'), std::string("a\nb"),
                                  std::string("\xff\xfe")}) {
    const auto made = GenerateKeyAndCsr(name);
    ASSERT_FALSE(made.ok()) << name;
    EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(CertificateSigningRequestTest, TheServersCaIssuesForItAndTheCertificateMatchesTheKey) {
  YJ_ASSERT_OK_AND_ASSIGN(const auto ca,
                          pki::CertificateAuthority::Create("test CA", absl::Hours(1)));
  YJ_ASSERT_OK_AND_ASSIGN(const KeyAndCsr made, GenerateKeyAndCsr("alice"));
  YJ_ASSERT_OK_AND_ASSIGN(const pki::IssuedCertificate issued,
                          ca->IssueForCsr({.common_name = "alice"}, made.csr_pem));
  YJ_EXPECT_OK(CheckCertificateMatchesKey(issued.certificate_pem, made.key.get()));

  YJ_ASSERT_OK_AND_ASSIGN(const KeyAndCsr other, GenerateKeyAndCsr("alice"));
  const absl::Status mismatch = CheckCertificateMatchesKey(issued.certificate_pem, other.key.get());
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckCertificateMatchesKey("not a certificate", made.key.get()).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::cli
