#include "hsm/sm4_aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <climits>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "hsm/software_hmac.h"

namespace yinjian::hsm {
namespace {

constexpr size_t kSm4KeyLength = 16;

absl::Status CheckKey(const SecureBytes& key) {
  if (key.size() != kSm4AeadKeyLength) {
    return absl::InvalidArgumentError("SM4 AEAD key must be 48 bytes");
  }
  return absl::OkStatus();
}

absl::Span<const uint8_t> EncKey(const SecureBytes& key) {
  return absl::MakeConstSpan(key).subspan(0, kSm4KeyLength);
}
absl::Span<const uint8_t> MacKey(const SecureBytes& key) {
  return absl::MakeConstSpan(key).subspan(kSm4KeyLength);
}

// HMAC-SM3(mac_key, u64be(len(aad)) || aad || iv || ciphertext).
absl::StatusOr<Bytes> ComputeTag(const SecureBytes& key, absl::Span<const uint8_t> aad,
                                 absl::Span<const uint8_t> iv_and_ciphertext) {
  std::array<uint8_t, 8> aad_len;
  uint64_t n = aad.size();
  for (int i = 7; i >= 0; --i, n >>= 8) aad_len[i] = static_cast<uint8_t>(n & 0xff);
  const absl::Span<const uint8_t> parts[] = {aad_len, aad, iv_and_ciphertext};
  return SoftwareHmacOfParts(DigestAlgorithm::kSm3, MacKey(key), parts);
}

// SM4-CTR is its own inverse, so one function serves both directions. Writes in.size() bytes to
// `out`, which must have room for them; empty input writes nothing.
absl::Status Sm4Ctr(const SecureBytes& key, absl::Span<const uint8_t> iv,
                    absl::Span<const uint8_t> in, uint8_t* out) {
  if (in.empty()) return absl::OkStatus();
  if (in.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("SM4 AEAD input too large");
  }
  EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, "SM4-CTR", nullptr));
  if (cipher == nullptr) return OsslInternal("cannot fetch SM4-CTR");
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OsslInternal("cannot allocate cipher context");
  if (EVP_EncryptInit_ex2(ctx.get(), cipher.get(), EncKey(key).data(), iv.data(), nullptr) != 1) {
    return OsslInternal("SM4-CTR init failed");
  }
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), out, &len, in.data(), static_cast<int>(in.size())) != 1) {
    return OsslInternal("SM4-CTR failed");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out + len, &final_len) != 1 ||
      static_cast<size_t>(len + final_len) != in.size()) {
    return OsslInternal("SM4-CTR final failed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SecureBytes> GenerateSm4AeadKey() {
  SecureBytes key(kSm4AeadKeyLength);
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return OsslInternal("random key generation failed");
  }
  return key;
}

absl::StatusOr<Bytes> Sm4AeadEncrypt(const SecureBytes& key, absl::Span<const uint8_t> plaintext,
                                     absl::Span<const uint8_t> aad) {
  RETURN_IF_ERROR(CheckKey(key));
  Bytes blob(kSm4AeadIvLength + plaintext.size());
  if (RAND_bytes(blob.data(), kSm4AeadIvLength) != 1) {
    return OsslInternal("random IV generation failed");
  }
  absl::Span<const uint8_t> iv = absl::MakeConstSpan(blob).first(kSm4AeadIvLength);
  RETURN_IF_ERROR(Sm4Ctr(key, iv, plaintext, blob.data() + kSm4AeadIvLength));
  ASSIGN_OR_RETURN(Bytes tag, ComputeTag(key, aad, blob));
  blob.insert(blob.end(), tag.begin(), tag.end());
  return blob;
}

absl::StatusOr<SecureBytes> Sm4AeadDecrypt(const SecureBytes& key, absl::Span<const uint8_t> blob,
                                           absl::Span<const uint8_t> aad) {
  RETURN_IF_ERROR(CheckKey(key));
  const absl::Status auth_failed = absl::InvalidArgumentError("authentication failed");
  if (blob.size() < kSm4AeadOverhead) return auth_failed;
  absl::Span<const uint8_t> authenticated = blob.first(blob.size() - kSm4AeadTagLength);
  absl::Span<const uint8_t> tag = blob.last(kSm4AeadTagLength);
  ASSIGN_OR_RETURN(Bytes expected, ComputeTag(key, aad, authenticated));
  if (CRYPTO_memcmp(expected.data(), tag.data(), kSm4AeadTagLength) != 0) return auth_failed;

  absl::Span<const uint8_t> iv = authenticated.first(kSm4AeadIvLength);
  absl::Span<const uint8_t> ciphertext = authenticated.subspan(kSm4AeadIvLength);
  SecureBytes plaintext(ciphertext.size());
  RETURN_IF_ERROR(Sm4Ctr(key, iv, ciphertext, plaintext.data()));
  return plaintext;
}

}  // namespace yinjian::hsm
