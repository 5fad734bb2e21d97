#include "service/pki/certificate_request.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/status_test_macros.h"

namespace yinjian::pki {
namespace {

TEST(ParseIpAddressTest, ParsesIpv4AndIpv6Literals) {
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> v4, ParseIpAddress("127.0.0.1"));
  EXPECT_EQ(v4, (std::vector<uint8_t>{127, 0, 0, 1}));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> loopback, ParseIpAddress("::1"));
  std::vector<uint8_t> expected(16, 0);
  expected[15] = 1;
  EXPECT_EQ(loopback, expected);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> doc, ParseIpAddress("2001:DB8::a"));
  EXPECT_EQ(doc[0], 0x20);
  EXPECT_EQ(doc[1], 0x01);
  EXPECT_EQ(doc[2], 0x0d);
  EXPECT_EQ(doc[3], 0xb8);
  EXPECT_EQ(doc[15], 0x0a);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> mapped, ParseIpAddress("::ffff:192.0.2.1"));
  EXPECT_EQ(mapped.size(), 16u);
  EXPECT_EQ(mapped[12], 192);
}

TEST(ParseIpAddressTest, RejectsAnythingElse) {
  for (const char* bad : {"", "1.2.3", "127.1", "256.0.0.1", "1.2.3.4.5", " 1.2.3.4", "1.2.3.4 ",
                          "::g", "1::2::3", "fe80::1%eth0", "localhost", "0x7f.0.0.1"}) {
    EXPECT_EQ(ParseIpAddress(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ValidateCertificateRequestTest, AcceptsTypicalRequests) {
  YJ_EXPECT_OK(ValidateCertificateRequest({.common_name = "admin"}));
  YJ_EXPECT_OK(ValidateCertificateRequest({.common_name = "yinjian-server",
                                           .server = true,
                                           .dns_names = {"localhost", "*.svc.example", "a-b.c"},
                                           .ip_addresses = {"127.0.0.1", "::1"}}));
  YJ_EXPECT_OK(ValidateCertificateRequest(
      {.common_name = std::string(64, 'x'), .organizational_unit = std::string(64, 'y')}));
  YJ_EXPECT_OK(
      ValidateCertificateRequest({.common_name = "张三", .organizational_unit = "财务部"}));
}

TEST(ValidateCertificateRequestTest, RejectsBadNames) {
  const std::vector<CertificateRequest> bad = {
      {.common_name = ""},
      {.common_name = std::string(65, 'x')},
      {.common_name = "ok", .organizational_unit = std::string(65, 'y')},
      {.common_name = "bad\xff utf8"},
      {.common_name = "\xc0\xaf"},  // overlong encoding of '/'
      {.common_name = "line\nbreak"},
  };
  for (const CertificateRequest& request : bad) {
    EXPECT_EQ(ValidateCertificateRequest(request).code(), absl::StatusCode::kInvalidArgument)
        << request.common_name;
  }
  CertificateRequest with_nul{.common_name = std::string("a\0b", 3)};
  EXPECT_EQ(ValidateCertificateRequest(with_nul).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateCertificateRequestTest, RejectsBadDnsNamesIpsAndValidity) {
  for (const char* dns :
       {"", "a..b", ".a", "a.", "-a.b", "a-.b", "a b", "a_b", "a.*.b", "*", "a,DNS:evil"}) {
    EXPECT_EQ(ValidateCertificateRequest({.common_name = "x", .dns_names = {dns}}).code(),
              absl::StatusCode::kInvalidArgument)
        << dns;
  }
  EXPECT_EQ(
      ValidateCertificateRequest({.common_name = "x", .dns_names = {std::string(64, 'a')}}).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCertificateRequest({.common_name = "x", .ip_addresses = {"1.2.3"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCertificateRequest({.common_name = "x", .validity = -absl::Hours(1)}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ValidateCertificateRequest({.common_name = "x", .validity = absl::InfiniteDuration()}).code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::pki
