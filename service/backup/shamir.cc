#include "service/backup/shamir.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"

extern "C" {
#include <libgfshare.h>
}

namespace yinjian::backup {
namespace {

// libgfshare draws the polynomial's coefficients, and the bytes it overwrites its buffers with
// when a context is freed, from gfshare_fill_rand, which has no default: ours is OpenSSL's
// private DRBG. The callback cannot report failure, so a failing DRBG ends the process rather
// than produce predictable shares.
void FillFromDrbg(unsigned char* buffer, unsigned int count) {
  if (RAND_priv_bytes(buffer, static_cast<int>(count)) != 1) {
    std::fputs("yinjian: OpenSSL's random generator failed while splitting a secret\n", stderr);
    std::abort();
  }
}

void UseDrbg() {
  static absl::once_flag once;
  absl::call_once(once, [] { gfshare_fill_rand = FillFromDrbg; });
}

struct ContextFree {
  void operator()(gfshare_ctx* context) const { gfshare_ctx_free(context); }
};
using Context = std::unique_ptr<gfshare_ctx, ContextFree>;

}  // namespace

absl::StatusOr<std::vector<Share>> SplitSecret(absl::Span<const uint8_t> secret, int custodians,
                                               int threshold) {
  if (secret.empty()) return absl::InvalidArgumentError("the secret to split is empty");
  if (custodians < 2 || custodians > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("custodians must be 2 to 255, not ", custodians));
  }
  if (threshold < 2 || threshold > custodians) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threshold must be 2 to the number of custodians (", custodians, "), not ", threshold));
  }
  UseDrbg();
  std::vector<unsigned char> indexes(custodians);
  for (int i = 0; i < custodians; ++i) indexes[i] = static_cast<unsigned char>(i + 1);
  // libgfshare copies the secret into its context (overwritten when freed); ours is wiped.
  hsm::SecureBytes copy(secret.begin(), secret.end());
  Context context(gfshare_ctx_init_enc(indexes.data(), static_cast<unsigned int>(custodians),
                                       static_cast<unsigned char>(threshold),
                                       static_cast<unsigned int>(secret.size())));
  if (context == nullptr) return absl::InternalError("libgfshare could not start a split");
  gfshare_ctx_enc_setsecret(context.get(), copy.data());
  std::vector<Share> shares;
  shares.reserve(custodians);
  for (int i = 0; i < custodians; ++i) {
    Share share{.index = i + 1, .y = hsm::SecureBytes(secret.size())};
    gfshare_ctx_enc_getshare(context.get(), static_cast<unsigned char>(i), share.y.data());
    shares.push_back(std::move(share));
  }
  return shares;
}

absl::StatusOr<hsm::SecureBytes> CombineShares(absl::Span<const Share> shares) {
  if (shares.empty()) return absl::InvalidArgumentError("no shares given");
  UseDrbg();
  const size_t size = shares.front().y.size();
  std::set<int> seen;
  std::vector<unsigned char> indexes;
  for (const Share& share : shares) {
    if (share.index < 1 || share.index > 255) {
      return absl::InvalidArgumentError(
          absl::StrCat("share index ", share.index, " is outside 1..255"));
    }
    if (!seen.insert(share.index).second) {
      return absl::InvalidArgumentError(absl::StrCat("share ", share.index, " is given twice"));
    }
    if (share.y.size() != size || size == 0) {
      return absl::InvalidArgumentError("the shares are of different lengths");
    }
    indexes.push_back(static_cast<unsigned char>(share.index));
  }
  Context context(gfshare_ctx_init_dec(indexes.data(), static_cast<unsigned int>(indexes.size()),
                                       static_cast<unsigned int>(size)));
  if (context == nullptr) return absl::InternalError("libgfshare could not start a combination");
  for (size_t i = 0; i < shares.size(); ++i) {
    hsm::SecureBytes y = shares[i].y;  // libgfshare takes a non-const pointer
    gfshare_ctx_dec_giveshare(context.get(), static_cast<unsigned char>(i), y.data());
  }
  hsm::SecureBytes secret(size);
  gfshare_ctx_dec_extract(context.get(), secret.data());
  return secret;
}

}  // namespace yinjian::backup
