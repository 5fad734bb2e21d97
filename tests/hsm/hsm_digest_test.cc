// Digests computed by a real SoftHSM token: equal to OpenSSL and to known vectors, streamed in
// parts equal to one shot, and an abandoned stream leaves its session clean for the next user.
#include "hsm/hsm_digest.h"

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "hsm/pkcs11_call.h"
#include "hsm/software_digest.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Hex;

class HsmDigestTest : public ::yinjian::testing::TokenTest {};

constexpr DigestAlgorithm kShaDigests[] = {DigestAlgorithm::kSha256, DigestAlgorithm::kSha384,
                                           DigestAlgorithm::kSha512};

Bytes Pattern(size_t size) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 29 + 1);
  return out;
}

uint64_t OperationActiveFailures() {
  uint64_t n = 0;
  for (const auto& [kind, count] : GetPkcs11CallCounts().failures_by_kind) {
    if (absl::StrContains(kind, "CKR_OPERATION_ACTIVE")) n += count;
  }
  return n;
}

TEST_F(HsmDigestTest, KnownVectors) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes abc256,
                          HsmDigest(token(), DigestAlgorithm::kSha256, ToBytes("abc")));
  EXPECT_EQ(Hex(abc256), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes abc384,
                          HsmDigest(token(), DigestAlgorithm::kSha384, ToBytes("abc")));
  EXPECT_EQ(Hex(abc384),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes abc512,
                          HsmDigest(token(), DigestAlgorithm::kSha512, ToBytes("abc")));
  EXPECT_EQ(Hex(abc512),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST_F(HsmDigestTest, EmptyMessage) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes empty, HsmDigest(token(), DigestAlgorithm::kSha256, {}));
  EXPECT_EQ(Hex(empty), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(HsmDigestTest, EqualsSoftwareDigest) {
  for (DigestAlgorithm digest : kShaDigests) {
    for (size_t size : {0u, 1u, 55u, 56u, 64u, 111u, 112u, 128u, 1000u, 100000u}) {
      const Bytes message = Pattern(size);
      YJ_ASSERT_OK_AND_ASSIGN(Bytes hsm, HsmDigest(token(), digest, message));
      YJ_ASSERT_OK_AND_ASSIGN(Bytes software, SoftwareDigest(digest, message));
      EXPECT_EQ(hsm.size(), DigestLength(digest));
      EXPECT_EQ(Hex(hsm), Hex(software)) << DigestEvpName(digest) << " size " << size;
    }
  }
}

TEST_F(HsmDigestTest, StreamEqualsOneShot) {
  const Bytes message = Pattern(5000);
  for (DigestAlgorithm digest : kShaDigests) {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> stream,
                            HsmDigestStream::Start(token(), digest));
    // Parts of irregular sizes, with empty parts at the start, in the middle and at the end.
    const size_t sizes[] = {0, 1, 63, 0, 64, 65, 0, 1000, 3, 0, 2000};
    size_t at = 0;
    for (size_t size : sizes) {
      YJ_ASSERT_OK(stream->Update(absl::MakeConstSpan(message.data() + at, size)));
      at += size;
    }
    YJ_ASSERT_OK(stream->Update(absl::MakeConstSpan(message.data() + at, message.size() - at)));
    YJ_ASSERT_OK(stream->Update({}));
    YJ_ASSERT_OK_AND_ASSIGN(Bytes streamed, stream->Finish());
    YJ_ASSERT_OK_AND_ASSIGN(Bytes one_shot, HsmDigest(token(), digest, message));
    EXPECT_EQ(Hex(streamed), Hex(one_shot)) << DigestEvpName(digest);
  }
}

TEST_F(HsmDigestTest, StreamWithNoPartsIsDigestOfEmpty) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> stream,
                          HsmDigestStream::Start(token(), DigestAlgorithm::kSha256));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes digest, stream->Finish());
  EXPECT_EQ(Hex(digest), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(HsmDigestTest, UseAfterFinishIsFailedPrecondition) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> stream,
                          HsmDigestStream::Start(token(), DigestAlgorithm::kSha384));
  YJ_ASSERT_OK(stream->Update(ToBytes("abc")));
  YJ_ASSERT_OK(stream->Finish());
  absl::Status update = stream->Update(ToBytes("more"));
  EXPECT_EQ(update.code(), absl::StatusCode::kFailedPrecondition) << update;
  absl::StatusOr<Bytes> again = stream->Finish();
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
}

TEST_F(HsmDigestTest, AbandonedStreamLeavesSessionsClean) {
  const uint64_t broken_before = token().pool().stats().broken;
  const uint64_t active_before = OperationActiveFailures();
  for (DigestAlgorithm digest : kShaDigests) {
    {
      YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> stream,
                              HsmDigestStream::Start(token(), digest));
      YJ_ASSERT_OK(stream->Update(Pattern(300)));
    }  // destroyed mid-operation
    {
      YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> never_updated,
                              HsmDigestStream::Start(token(), digest));
    }
  }
  // Every pooled session, including the ones the streams held, must take a new digest.
  const size_t rounds = 4 * token().pool().max_sessions();
  for (size_t i = 0; i < rounds; ++i) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes d, HsmDigest(token(), DigestAlgorithm::kSha256, ToBytes("abc")));
    EXPECT_EQ(Hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> stream,
                            HsmDigestStream::Start(token(), DigestAlgorithm::kSha512));
    YJ_ASSERT_OK(stream->Finish());
  }
  EXPECT_EQ(token().pool().stats().broken, broken_before);
  EXPECT_EQ(OperationActiveFailures(), active_before);
  for (const auto& [kind, count] : GetPkcs11CallCounts().failures_by_kind) {
    EXPECT_FALSE(absl::StrContains(kind, "CKR_OPERATION_ACTIVE")) << kind << " x" << count;
  }
}

TEST_F(HsmDigestTest, ConcurrentStreamsHoldSeparateSessions) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> a,
                          HsmDigestStream::Start(token(), DigestAlgorithm::kSha256));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HsmDigestStream> b,
                          HsmDigestStream::Start(token(), DigestAlgorithm::kSha256));
  YJ_ASSERT_OK(a->Update(ToBytes("a")));
  YJ_ASSERT_OK(b->Update(ToBytes("ab")));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes one_shot,
                          HsmDigest(token(), DigestAlgorithm::kSha256, ToBytes("x")));
  YJ_ASSERT_OK(a->Update(ToBytes("bc")));
  YJ_ASSERT_OK(b->Update(ToBytes("c")));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes da, a->Finish());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes db, b->Finish());
  EXPECT_EQ(Hex(da), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(da, db);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes x, SoftwareDigest(DigestAlgorithm::kSha256, ToBytes("x")));
  EXPECT_EQ(one_shot, x);
}

TEST_F(HsmDigestTest, Sm3IsFailedPrecondition) {
  absl::StatusOr<Bytes> one_shot = HsmDigest(token(), DigestAlgorithm::kSm3, ToBytes("abc"));
  EXPECT_EQ(one_shot.status().code(), absl::StatusCode::kFailedPrecondition) << one_shot.status();
  absl::StatusOr<std::unique_ptr<HsmDigestStream>> stream =
      HsmDigestStream::Start(token(), DigestAlgorithm::kSm3);
  EXPECT_EQ(stream.status().code(), absl::StatusCode::kFailedPrecondition) << stream.status();
}

}  // namespace
}  // namespace yinjian::hsm
