#include "hsm/sm2.h"

#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "hsm/public_key.h"

namespace yinjian::hsm {
namespace {

// OpenSSL wants a non-null pointer even for an empty message.
const uint8_t* DataOrEmpty(absl::Span<const uint8_t> data) {
  static const uint8_t kEmpty = 0;
  return data.empty() ? &kEmpty : data.data();
}

// Decodes PKCS#8 DER as an SM2 key. Asking the decoder for "SM2" (not "EC") matters in 3.0: the
// same DER can also decode as a generic EC key, which would sign with ECDSA semantics.
absl::StatusOr<EvpPkeyPtr> LoadSm2PrivateKey(const SecureBytes& pkcs8) {
  EVP_PKEY* raw = nullptr;
  OsslDecoderCtxPtr decoder(OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", "PrivateKeyInfo", "SM2",
                                                          EVP_PKEY_KEYPAIR, nullptr, nullptr));
  if (decoder == nullptr) return OsslInternal("cannot create SM2 key decoder");
  const unsigned char* in = pkcs8.data();
  size_t remaining = pkcs8.size();
  const int rc = OSSL_DECODER_from_data(decoder.get(), &in, &remaining);
  EvpPkeyPtr key(raw);
  if (rc != 1 || key == nullptr) return OsslInvalidArgument("not a PKCS#8 SM2 private key");
  if (remaining != 0) return absl::InvalidArgumentError("trailing bytes after SM2 private key");
  if (!EVP_PKEY_is_a(key.get(), "SM2")) {
    return absl::InvalidArgumentError("not a PKCS#8 SM2 private key");
  }
  return key;
}

// Initialises `ctx` to sign or verify with SM3 and sets the distinguishing ID on the EVP_PKEY_CTX
// that `ctx` owns. The ID must be set after init (init resets it) and before the first update
// (which consumes Z_A).
absl::Status InitSm2Context(EVP_MD_CTX* ctx, EVP_PKEY* key, bool sign) {
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  const int rc =
      sign ? EVP_DigestSignInit_ex(ctx, &pkey_ctx, "SM3", nullptr, nullptr, key, nullptr)
           : EVP_DigestVerifyInit_ex(ctx, &pkey_ctx, "SM3", nullptr, nullptr, key, nullptr);
  if (rc != 1 || pkey_ctx == nullptr) return OsslInternal("SM2 init failed");
  if (EVP_PKEY_CTX_set1_id(pkey_ctx, kSm2DefaultId.data(),
                           static_cast<int>(kSm2DefaultId.size())) != 1) {
    return OsslInternal("cannot set SM2 distinguishing ID");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SecureBytes> GenerateSm2Key() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2"));
  if (key == nullptr) return OsslInternal("SM2 key generation failed");
  OsslEncoderCtxPtr encoder(
      OSSL_ENCODER_CTX_new_for_pkey(key.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", nullptr));
  // A secure-memory BIO wipes its buffer (and any buffer it outgrows) when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (encoder == nullptr || bio == nullptr || OSSL_ENCODER_to_bio(encoder.get(), bio.get()) != 1) {
    return OsslInternal("cannot encode SM2 private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return OsslInternal("cannot encode SM2 private key");
  return SecureBytes(data, data + len);
}

absl::StatusOr<Bytes> Sm2PublicKeySpki(const SecureBytes& pkcs8) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, LoadSm2PrivateKey(pkcs8));
  return EncodeSpkiDer(key.get());
}

absl::StatusOr<Bytes> Sm2Sign(const SecureBytes& pkcs8, absl::Span<const uint8_t> message) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, LoadSm2PrivateKey(pkcs8));
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OsslInternal("cannot allocate digest context");
  RETURN_IF_ERROR(InitSm2Context(ctx.get(), key.get(), /*sign=*/true));
  size_t sig_len = 0;
  if (EVP_DigestSignUpdate(ctx.get(), DataOrEmpty(message), message.size()) != 1 ||
      EVP_DigestSignFinal(ctx.get(), nullptr, &sig_len) != 1) {
    return OsslInternal("SM2 signing failed");
  }
  Bytes signature(sig_len);
  if (EVP_DigestSignFinal(ctx.get(), signature.data(), &sig_len) != 1) {
    return OsslInternal("SM2 signing failed");
  }
  signature.resize(sig_len);  // DER length varies with r and s
  return signature;
}

absl::StatusOr<bool> Sm2Verify(absl::Span<const uint8_t> spki, absl::Span<const uint8_t> message,
                               absl::Span<const uint8_t> signature) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseSpkiDer(spki));
  if (!EVP_PKEY_is_a(key.get(), "SM2")) return absl::InvalidArgumentError("not an SM2 public key");
  return Sm2VerifyWithKey(key.get(), message, signature);
}

absl::StatusOr<bool> Sm2VerifyWithKey(EVP_PKEY* key, absl::Span<const uint8_t> message,
                                      absl::Span<const uint8_t> signature) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OsslInternal("cannot allocate digest context");
  RETURN_IF_ERROR(InitSm2Context(ctx.get(), key, /*sign=*/false));
  if (EVP_DigestVerifyUpdate(ctx.get(), DataOrEmpty(message), message.size()) != 1) {
    return OsslInternal("SM2 verification failed");
  }
  // 1 is valid; 0 or a negative value (e.g. undecodable DER) is an invalid signature.
  const bool valid =
      EVP_DigestVerifyFinal(ctx.get(), DataOrEmpty(signature), signature.size()) == 1;
  ClearOsslErrors();
  return valid;
}

}  // namespace yinjian::hsm
