#include "bench/openssl_workloads.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <climits>
#include <memory>
#include <utility>

#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "hsm/secure_bytes.h"
#include "hsm/sm2.h"
#include "hsm/sm3.h"
#include "hsm/sm4_aead.h"

namespace yinjian::bench {
namespace {

using hsm::Bytes;
using hsm::OsslInternal;
using hsm::SecureBytes;

constexpr size_t kAesKeyBytes = 32;
constexpr size_t kGcmIvBytes = 12;
constexpr size_t kGcmTagBytes = 16;
constexpr size_t kMaxSignatureBytes = 512;

absl::StatusOr<SecureBytes> RandomKey(size_t bytes) {
  SecureBytes key(bytes);
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return OsslInternal("RAND_priv_bytes failed");
  }
  return key;
}

Workload Stateless(OperationFn operation) {
  return Workload{.new_worker = [operation = std::move(operation)]() -> absl::StatusOr<OperationFn> {
    return operation;
  }};
}

// EVP_DigestSign with a fresh initialisation per signature (the context is reused per thread).
// `digest` is nullptr for Ed25519, which hashes internally.
absl::StatusOr<Workload> EvpSignWorkload(hsm::EvpPkeyPtr key, const char* digest, bool pss) {
  if (key == nullptr) return OsslInternal("key generation failed");
  std::shared_ptr<EVP_PKEY> shared_key(key.release(), EVP_PKEY_free);
  return Workload{.new_worker = [shared_key, digest, pss]() -> absl::StatusOr<OperationFn> {
    auto ctx = std::shared_ptr<EVP_MD_CTX>(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (ctx == nullptr) return OsslInternal("EVP_MD_CTX_new failed");
    return OperationFn([shared_key, digest, pss, ctx, message = BenchPayload(kSignedMessageBytes),
                        signature = Bytes(kMaxSignatureBytes)]() mutable -> absl::Status {
      EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
      if (EVP_MD_CTX_reset(ctx.get()) != 1 ||
          EVP_DigestSignInit_ex(ctx.get(), &pkey_ctx, digest, nullptr, nullptr,
                                shared_key.get(), nullptr) != 1) {
        return OsslInternal("EVP_DigestSignInit_ex failed");
      }
      if (pss && (EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
        return OsslInternal("cannot set RSA-PSS parameters");
      }
      size_t length = signature.size();
      if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(),
                         message.size()) != 1) {
        return OsslInternal("EVP_DigestSign failed");
      }
      return absl::OkStatus();
    });
  }};
}

// AES-256-GCM with a random 96-bit IV per message, like hsm/aes_gcm.cc. The key schedule is set
// up once per thread; each message sets only its IV.
absl::StatusOr<Workload> AesGcmWorkload(size_t payload_bytes) {
  hsm::EvpCipherPtr fetched(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (fetched == nullptr) return OsslInternal("cannot fetch AES-256-GCM");
  std::shared_ptr<EVP_CIPHER> cipher(fetched.release(), EVP_CIPHER_free);
  ASSIGN_OR_RETURN(SecureBytes key, RandomKey(kAesKeyBytes));
  auto shared_key = std::make_shared<const SecureBytes>(std::move(key));
  return Workload{.new_worker = [cipher, shared_key,
                                 payload_bytes]() -> absl::StatusOr<OperationFn> {
    auto ctx = std::shared_ptr<EVP_CIPHER_CTX>(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (ctx == nullptr) return OsslInternal("EVP_CIPHER_CTX_new failed");
    if (EVP_EncryptInit_ex2(ctx.get(), cipher.get(), shared_key->data(), nullptr, nullptr) != 1) {
      return OsslInternal("AES-256-GCM key setup failed");
    }
    return OperationFn([ctx, plaintext = BenchPayload(payload_bytes),
                        out = Bytes(kGcmIvBytes + payload_bytes + kGcmTagBytes)]() mutable
                       -> absl::Status {
      uint8_t* iv = out.data();
      uint8_t* sealed = out.data() + kGcmIvBytes;
      int length = 0, final_length = 0;
      if (RAND_bytes(iv, kGcmIvBytes) != 1) return OsslInternal("IV generation failed");
      if (EVP_EncryptInit_ex2(ctx.get(), nullptr, nullptr, iv, nullptr) != 1 ||
          EVP_EncryptUpdate(ctx.get(), sealed, &length, plaintext.data(),
                            static_cast<int>(plaintext.size())) != 1 ||
          EVP_EncryptFinal_ex(ctx.get(), sealed + length, &final_length) != 1 ||
          EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kGcmTagBytes,
                              sealed + length + final_length) != 1) {
        return OsslInternal("AES-256-GCM encryption failed");
      }
      return absl::OkStatus();
    });
  }};
}

// HMAC-SHA256; the key is set once per thread and each message restarts the MAC with it.
absl::StatusOr<Workload> HmacSha256Workload(size_t payload_bytes) {
  hsm::EvpMacPtr fetched(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (fetched == nullptr) return OsslInternal("cannot fetch HMAC");
  std::shared_ptr<EVP_MAC> mac(fetched.release(), EVP_MAC_free);
  ASSIGN_OR_RETURN(SecureBytes key, RandomKey(32));
  auto shared_key = std::make_shared<const SecureBytes>(std::move(key));
  return Workload{.new_worker = [mac, shared_key, payload_bytes]() -> absl::StatusOr<OperationFn> {
    auto ctx = std::shared_ptr<EVP_MAC_CTX>(EVP_MAC_CTX_new(mac.get()), EVP_MAC_CTX_free);
    if (ctx == nullptr) return OsslInternal("EVP_MAC_CTX_new failed");
    char digest_name[] = "SHA2-256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), shared_key->data(), shared_key->size(), params) != 1) {
      return OsslInternal("HMAC-SHA256 key setup failed");
    }
    return OperationFn([ctx, message = BenchPayload(payload_bytes),
                        tag = Bytes(32)]() mutable -> absl::Status {
      size_t length = 0;
      // A null key restarts the MAC with the key already set.
      if (EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) != 1 ||
          EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1 ||
          EVP_MAC_final(ctx.get(), tag.data(), &length, tag.size()) != 1) {
        return OsslInternal("HMAC-SHA256 failed");
      }
      return absl::OkStatus();
    });
  }};
}

// RFC 5649 (AES-256-WRAP-PAD) of a 32-byte key, then unwrapping it again.
absl::StatusOr<Workload> KeyWrapWorkload() {
  hsm::EvpCipherPtr fetched(EVP_CIPHER_fetch(nullptr, "AES-256-WRAP-PAD", nullptr));
  if (fetched == nullptr) return OsslInternal("cannot fetch AES-256-WRAP-PAD");
  std::shared_ptr<EVP_CIPHER> cipher(fetched.release(), EVP_CIPHER_free);
  ASSIGN_OR_RETURN(SecureBytes kek, RandomKey(kAesKeyBytes));
  ASSIGN_OR_RETURN(SecureBytes key, RandomKey(kAesKeyBytes));
  auto keys = std::make_shared<const std::pair<SecureBytes, SecureBytes>>(std::move(kek),
                                                                          std::move(key));
  return Workload{.new_worker = [cipher, keys]() -> absl::StatusOr<OperationFn> {
    auto ctx = std::shared_ptr<EVP_CIPHER_CTX>(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (ctx == nullptr) return OsslInternal("EVP_CIPHER_CTX_new failed");
    return OperationFn([cipher, keys, ctx, wrapped = Bytes(kAesKeyBytes + 16),
                        unwrapped = SecureBytes(kAesKeyBytes + 16)]() mutable -> absl::Status {
      const SecureBytes& kek = keys->first;
      const SecureBytes& key = keys->second;
      int wrapped_length = 0, unwrapped_length = 0, final_length = 0;
      EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
      if (EVP_EncryptInit_ex2(ctx.get(), cipher.get(), kek.data(), nullptr, nullptr) != 1 ||
          EVP_EncryptUpdate(ctx.get(), wrapped.data(), &wrapped_length, key.data(),
                            static_cast<int>(key.size())) != 1 ||
          EVP_EncryptFinal_ex(ctx.get(), wrapped.data() + wrapped_length, &final_length) != 1) {
        return OsslInternal("AES key wrap failed");
      }
      if (EVP_DecryptInit_ex2(ctx.get(), cipher.get(), kek.data(), nullptr, nullptr) != 1 ||
          EVP_DecryptUpdate(ctx.get(), unwrapped.data(), &unwrapped_length, wrapped.data(),
                            wrapped_length) != 1 ||
          EVP_DecryptFinal_ex(ctx.get(), unwrapped.data() + unwrapped_length, &final_length) !=
              1) {
        return OsslInternal("AES key unwrap failed");
      }
      if (static_cast<size_t>(unwrapped_length + final_length) != key.size()) {
        return absl::InternalError("unwrapped key has the wrong length");
      }
      return absl::OkStatus();
    });
  }};
}

absl::StatusOr<Workload> Sha256Workload(size_t payload_bytes) {
  hsm::EvpMdPtr fetched(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
  if (fetched == nullptr) return OsslInternal("cannot fetch SHA2-256");
  std::shared_ptr<EVP_MD> md(fetched.release(), EVP_MD_free);
  return Workload{.new_worker = [md, payload_bytes]() -> absl::StatusOr<OperationFn> {
    auto ctx = std::shared_ptr<EVP_MD_CTX>(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (ctx == nullptr) return OsslInternal("EVP_MD_CTX_new failed");
    return OperationFn([md, ctx, message = BenchPayload(payload_bytes),
                        digest = Bytes(EVP_MAX_MD_SIZE)]() mutable -> absl::Status {
      unsigned int length = 0;
      if (EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr) != 1 ||
          EVP_DigestUpdate(ctx.get(), message.data(), message.size()) != 1 ||
          EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) {
        return OsslInternal("SHA-256 failed");
      }
      return absl::OkStatus();
    });
  }};
}

}  // namespace

absl::StatusOr<Workload> PrepareOpenSslWorkload(RawOperation operation, size_t payload_bytes) {
  if (payload_bytes > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("payload too large for one EVP call");
  }
  const Bytes payload = BenchPayload(payload_bytes);
  switch (operation) {
    case RawOperation::kEcdsaP256Sign:
      return EvpSignWorkload(hsm::EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")),
                             "SHA2-256", /*pss=*/false);
    case RawOperation::kRsa2048Pkcs1Sign:
    case RawOperation::kRsa2048PssSign:
      return EvpSignWorkload(
          hsm::EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))),
          "SHA2-256", /*pss=*/operation == RawOperation::kRsa2048PssSign);
    case RawOperation::kEd25519Sign:
      return EvpSignWorkload(hsm::EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")),
                             nullptr, /*pss=*/false);
    case RawOperation::kAes256GcmEncrypt:
      return AesGcmWorkload(payload_bytes);
    case RawOperation::kHmacSha256:
      return HmacSha256Workload(payload_bytes);
    case RawOperation::kAesKeyWrapUnwrap:
      return KeyWrapWorkload();
    case RawOperation::kSha256Digest:
      return Sha256Workload(payload_bytes);
    case RawOperation::kRandom32:
      return Stateless([out = Bytes(32)]() mutable -> absl::Status {
        if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
          return OsslInternal("RAND_bytes failed");
        }
        return absl::OkStatus();
      });
    case RawOperation::kSm2Sign: {
      ASSIGN_OR_RETURN(SecureBytes pkcs8, hsm::GenerateSm2Key());
      auto key = std::make_shared<const SecureBytes>(std::move(pkcs8));
      return Stateless([key, message = BenchPayload(kSignedMessageBytes)] {
        return hsm::Sm2Sign(*key, message).status();
      });
    }
    case RawOperation::kSm3Digest:
      return Stateless([payload] { return hsm::Sm3Digest(payload).status(); });
    case RawOperation::kHmacSm3: {
      ASSIGN_OR_RETURN(SecureBytes mac_key, RandomKey(32));
      auto key = std::make_shared<const SecureBytes>(std::move(mac_key));
      return Stateless([key, payload] { return hsm::HmacSm3(*key, payload).status(); });
    }
    case RawOperation::kSm4AeadEncrypt: {
      ASSIGN_OR_RETURN(SecureBytes aead_key, hsm::GenerateSm4AeadKey());
      auto key = std::make_shared<const SecureBytes>(std::move(aead_key));
      return Stateless([key, payload] { return hsm::Sm4AeadEncrypt(*key, payload, {}).status(); });
    }
  }
  return absl::InternalError("unknown operation");
}

}  // namespace yinjian::bench
