// Public-key conversions: raw PKCS#11 attributes (CKA_EC_PARAMS/CKA_EC_POINT,
// CKA_MODULUS/CKA_PUBLIC_EXPONENT) to SubjectPublicKeyInfo, and SPKI between DER, PEM and EVP_PKEY.
// Every function validates the key it builds or parses; none holds secrets.
#ifndef YINJIAN_HSM_PUBLIC_KEY_H_
#define YINJIAN_HSM_PUBLIC_KEY_H_

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/ecdsa_signature.h"  // EcdsaRawToDer / EcdsaDerToRaw, used alongside these
#include "hsm/ossl_ptr.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

// Builds SPKI DER from CKA_EC_PARAMS and CKA_EC_POINT.
// `ec_params_der` is the DER OID of a named curve: P-256, P-384, P-521, SM2 (1.2.156.10197.1.301)
// or Ed25519 (1.3.101.112, or the PKCS#11 3.0 PrintableString "edwards25519").
// `ec_point` is the point either DER-wrapped in an OCTET STRING (as SoftHSM returns it) or bare.
// The two are told apart by exact length, which never coincides: for Weierstrass curves the bare
// point must be uncompressed (0x04 || X || Y, 1 + 2 * field bytes); for Ed25519 it is the 32-byte
// public key. INVALID_ARGUMENT for an unknown curve, a wrong-length or compressed point, or a
// point not on the curve.
absl::StatusOr<Bytes> EcPublicKeyToSpki(absl::Span<const uint8_t> ec_params_der,
                                        absl::Span<const uint8_t> ec_point);

// Builds RSA SPKI DER from big-endian unsigned CKA_MODULUS and CKA_PUBLIC_EXPONENT (leading zero
// bytes allowed). INVALID_ARGUMENT unless the modulus is odd and 1024..16384 bits and the exponent
// is odd and greater than 1.
absl::StatusOr<Bytes> RsaPublicKeyToSpki(absl::Span<const uint8_t> modulus,
                                         absl::Span<const uint8_t> public_exponent);

// Parses SPKI DER into a new EVP_PKEY owned by the caller. SM2 keys come back as SM2
// (EVP_PKEY_is_a(key, "SM2")), not as generic EC. INVALID_ARGUMENT if the DER is malformed, has
// trailing bytes, or holds an invalid key.
absl::StatusOr<EvpPkeyPtr> ParseSpkiDer(absl::Span<const uint8_t> spki);

// Encodes the public half of `key` (borrowed) as SPKI DER. INVALID_ARGUMENT for a null key;
// INTERNAL if OpenSSL cannot encode it.
absl::StatusOr<Bytes> EncodeSpkiDer(const EVP_PKEY* key);

// SPKI DER <-> PEM ("-----BEGIN PUBLIC KEY-----"). Both validate the key on the way through.
// INVALID_ARGUMENT for malformed input.
absl::StatusOr<std::string> SpkiDerToPem(absl::Span<const uint8_t> spki);
absl::StatusOr<Bytes> PemToSpkiDer(std::string_view pem);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_PUBLIC_KEY_H_
