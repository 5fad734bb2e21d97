#include "hsm/sm3.h"

#include <openssl/evp.h>

#include <utility>

#include "hsm/ossl_status.h"
#include "hsm/software_digest.h"
#include "hsm/software_hmac.h"

namespace yinjian::hsm {

absl::StatusOr<Bytes> Sm3Digest(absl::Span<const uint8_t> message) {
  return SoftwareDigest(DigestAlgorithm::kSm3, message);
}

absl::StatusOr<std::unique_ptr<Sm3Hasher>> Sm3Hasher::Create() {
  EvpMdPtr md(EVP_MD_fetch(nullptr, "SM3", nullptr));
  if (md == nullptr) return OsslInternal("cannot fetch SM3");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OsslInternal("cannot allocate digest context");
  if (EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr) != 1) {
    return OsslInternal("SM3 init failed");
  }
  return std::unique_ptr<Sm3Hasher>(new Sm3Hasher(std::move(ctx)));
}

absl::Status Sm3Hasher::Update(absl::Span<const uint8_t> data) {
  if (finished_) return absl::FailedPreconditionError("SM3 hasher already finished");
  if (data.empty()) return absl::OkStatus();
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    return OsslInternal("SM3 update failed");
  }
  return absl::OkStatus();
}

absl::StatusOr<Bytes> Sm3Hasher::Finish() {
  if (finished_) return absl::FailedPreconditionError("SM3 hasher already finished");
  finished_ = true;
  Bytes out(kSm3DigestLength);
  unsigned int out_len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &out_len) != 1 || out_len != out.size()) {
    return OsslInternal("SM3 final failed");
  }
  return out;
}

absl::StatusOr<Bytes> HmacSm3(const SecureBytes& key, absl::Span<const uint8_t> message) {
  return SoftwareHmac(DigestAlgorithm::kSm3, key, message);
}

absl::StatusOr<bool> VerifyHmacSm3(const SecureBytes& key, absl::Span<const uint8_t> message,
                                   absl::Span<const uint8_t> tag) {
  return VerifySoftwareHmac(DigestAlgorithm::kSm3, key, message, tag);
}

}  // namespace yinjian::hsm
