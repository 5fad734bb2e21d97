// `key import`'s local half, with no gRPC: the officer's key material read from a file and
// checked against the key kind, then wrapped for the department's import key as
// ImportKeyRequest in keys.proto defines it: RSA-OAEP(import public key, K) || AES-KWP(K,
// material), K a fresh AES-256 key (PKCS#11's CKM_RSA_AES_KEY_WRAP). OpenSSL 3 EVP only; the
// material never leaves this process unwrapped.
#ifndef YINJIAN_CLI_KEY_IMPORT_H_
#define YINJIAN_CLI_KEY_IMPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"
#include "yinjian/v1/common.pb.h"

namespace yinjian::cli {

// What ImportKeyRequest carries, before wrapping.
struct ImportMaterial {
  // What the server unwraps: the raw key (aes256-gcm, hmac-sha256, hmac-sha384) or the PKCS#8
  // DER private key (ecdsa-*, rsa-*).
  hsm::SecureBytes material;
  // Asymmetric kinds: the SubjectPublicKeyInfo DER of the key's public half, which the server
  // checks against the material. Empty for symmetric kinds.
  hsm::Bytes public_key_der;
};

// OK if keys of `kind` can be imported: aes256-gcm, hmac-sha256, hmac-sha384, ecdsa-p256,
// ecdsa-p384, rsa-pss-{2048,3072,4096} and rsa-pkcs1-{2048,3072,4096}. INVALID_ARGUMENT
// "kind X cannot be imported" otherwise.
absl::Status CheckImportableKind(v1::KeyKind kind);

// The material of a key of `kind` from the bytes of the officer's file. Symmetric kinds: the
// file is the raw key, exactly 32 bytes (aes256-gcm, hmac-sha256) or 48 (hmac-sha384). Asymmetric
// kinds: an unencrypted PEM private key, PKCS#8 ("PRIVATE KEY") or traditional ("EC PRIVATE
// KEY", possibly after an "EC PARAMETERS" block, or "RSA PRIVATE KEY"), which must be of the
// kind: an EC key on P-256 / P-384, or an RSA key (rsaEncryption, not RSA-PSS) with a 2048-,
// 3072- or 4096-bit modulus; its private and public halves must agree. It comes back as PKCS#8
// DER with the curve named (never explicit parameters) and an uncompressed public point, and its
// SPKI DER. INVALID_ARGUMENT as CheckImportableKind, or naming what is wrong with the file
// (length, form, key type, curve, size); never with any of the file's bytes.
absl::StatusOr<ImportMaterial> ReadImportMaterial(v1::KeyKind kind, absl::string_view file);

// The wrapped_key_material for `material`: RSA-OAEP with `oaep_hash` ("sha1" or "sha256", MGF1
// with the same hash) of a fresh random AES-256 key K under `public_key_pem` (SPKI PEM, as in
// ImportParameters), followed by AES-KWP (RFC 5649) of `material` under K. K is held in
// SecureBytes and wiped before returning. INVALID_ARGUMENT for an unknown hash, a public key
// that is not RSA of at least 2048 bits, or empty material; INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> WrapForImport(absl::string_view public_key_pem,
                                          absl::string_view oaep_hash,
                                          absl::Span<const uint8_t> material);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_IMPORT_H_
