#include "bench/raw_operation.h"

#include "absl/strings/str_cat.h"

namespace yinjian::bench {

const std::vector<RawOperation>& AllRawOperations() {
  static const auto* operations = new std::vector<RawOperation>{
      RawOperation::kEcdsaP256Sign,    RawOperation::kRsa2048Pkcs1Sign,
      RawOperation::kRsa2048PssSign,   RawOperation::kEd25519Sign,
      RawOperation::kAes256GcmEncrypt, RawOperation::kHmacSha256,
      RawOperation::kAesKeyWrapUnwrap, RawOperation::kSha256Digest,
      RawOperation::kRandom32,         RawOperation::kSm2Sign,
      RawOperation::kSm3Digest,        RawOperation::kHmacSm3,
      RawOperation::kSm4AeadEncrypt,
  };
  return *operations;
}

const std::vector<Backend>& AllBackends() {
  static const auto* backends =
      new std::vector<Backend>{Backend::kPkcs11Token, Backend::kPkcs11Session, Backend::kOpenSsl};
  return *backends;
}

absl::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kPkcs11Token: return "pkcs11-token";
    case Backend::kPkcs11Session: return "pkcs11-session";
    case Backend::kOpenSsl: return "openssl";
  }
  return "unknown";
}

std::optional<Backend> BackendFromName(absl::string_view name) {
  for (Backend backend : AllBackends()) {
    if (BackendName(backend) == name) return backend;
  }
  return std::nullopt;
}

hsm::Bytes BenchPayload(size_t bytes) {
  hsm::Bytes payload(bytes);
  for (size_t i = 0; i < bytes; ++i) payload[i] = static_cast<uint8_t>(i * 31 + 7);
  return payload;
}

std::string PayloadText(size_t bytes) {
  if (bytes >= 1024 && bytes % 1024 == 0) return absl::StrCat(bytes / 1024, " KiB");
  return absl::StrCat(bytes, " B");
}

std::string RawOperationName(RawOperation operation, size_t payload_bytes) {
  const std::string payload = PayloadText(payload_bytes);
  switch (operation) {
    case RawOperation::kEcdsaP256Sign: return "ECDSA P-256 sign";
    case RawOperation::kRsa2048Pkcs1Sign: return "RSA-2048 PKCS#1 v1.5 sign";
    case RawOperation::kRsa2048PssSign: return "RSA-2048 PSS sign";
    case RawOperation::kEd25519Sign: return "Ed25519 sign";
    case RawOperation::kAes256GcmEncrypt: return absl::StrCat("AES-256-GCM encrypt ", payload);
    case RawOperation::kHmacSha256: return absl::StrCat("HMAC-SHA256 ", payload);
    case RawOperation::kAesKeyWrapUnwrap: return "AES key wrap (pad) + unwrap 32 B";
    case RawOperation::kSha256Digest: return absl::StrCat("SHA-256 ", payload);
    case RawOperation::kRandom32: return "random 32 B";
    case RawOperation::kSm2Sign: return "SM2 sign";
    case RawOperation::kSm3Digest: return absl::StrCat("SM3 ", payload);
    case RawOperation::kHmacSm3: return absl::StrCat("HMAC-SM3 ", payload);
    case RawOperation::kSm4AeadEncrypt: return absl::StrCat("SM4 AEAD encrypt ", payload);
  }
  return "unknown";
}

}  // namespace yinjian::bench
