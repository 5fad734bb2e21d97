#include "hsm/public_key.h"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "hsm/ossl_status.h"

namespace yinjian::hsm {
namespace {

// A curve Yinjian accepts in CKA_EC_PARAMS. field_bytes == 0 marks Ed25519 (raw 32-byte key).
struct NamedCurve {
  absl::Span<const uint8_t> params_der;
  const char* key_type;    // EVP_PKEY_CTX_new_from_name
  const char* group_name;  // OSSL_PKEY_PARAM_GROUP_NAME (Weierstrass curves only)
  size_t field_bytes;
};

constexpr uint8_t kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr uint8_t kP384Oid[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kP521Oid[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
constexpr uint8_t kSm2Oid[] = {0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d};
constexpr uint8_t kEd25519Oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
constexpr uint8_t kEd25519Name[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
                                    'd',  's',  '2', '5', '5', '1', '9'};
constexpr size_t kEd25519KeyBytes = 32;

constexpr NamedCurve kCurves[] = {
    {kP256Oid, "EC", "prime256v1", 32},   {kP384Oid, "EC", "secp384r1", 48},
    {kP521Oid, "EC", "secp521r1", 66},    {kSm2Oid, "SM2", "SM2", 32},
    {kEd25519Oid, "ED25519", nullptr, 0}, {kEd25519Name, "ED25519", nullptr, 0},
};

absl::StatusOr<const NamedCurve*> FindCurve(absl::Span<const uint8_t> params_der) {
  for (const NamedCurve& curve : kCurves) {
    if (std::equal(params_der.begin(), params_der.end(), curve.params_der.begin(),
                   curve.params_der.end())) {
      return &curve;
    }
  }
  return absl::InvalidArgumentError("unsupported or malformed EC parameters");
}

// Returns the bare point: `point` itself if it is exactly `bare_len` bytes, else the content of a
// canonical DER OCTET STRING holding exactly `bare_len` bytes. The wrapper adds at least two
// bytes, so the two forms can never be confused.
absl::StatusOr<Bytes> UnwrapPoint(absl::Span<const uint8_t> point, size_t bare_len) {
  if (point.size() == bare_len) return Bytes(point.begin(), point.end());
  const unsigned char* in = point.data();
  Asn1OctetStringPtr octets(d2i_ASN1_OCTET_STRING(nullptr, &in, static_cast<long>(point.size())));
  if (octets == nullptr || in != point.data() + point.size() ||
      static_cast<size_t>(ASN1_STRING_length(octets.get())) != bare_len ||
      i2d_ASN1_OCTET_STRING(octets.get(), nullptr) != static_cast<int>(point.size())) {
    ClearOsslErrors();
    return absl::InvalidArgumentError("EC point has the wrong length or encoding");
  }
  const unsigned char* data = ASN1_STRING_get0_data(octets.get());
  return Bytes(data, data + bare_len);
}

// Builds a public-only EVP_PKEY of `key_type` from `params`.
absl::StatusOr<EvpPkeyPtr> KeyFromParams(const char* key_type, const OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  if (ctx == nullptr) return OsslInternal("cannot create key context");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
          1) {
    return OsslInvalidArgument("invalid public key");
  }
  return EvpPkeyPtr(raw);
}

// Full public-key validation (point on curve, in the right subgroup).
absl::Status CheckPublicKey(EVP_PKEY* key) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (ctx == nullptr) return OsslInternal("cannot create key context");
  if (EVP_PKEY_public_check(ctx.get()) != 1) return OsslInvalidArgument("invalid EC public key");
  return absl::OkStatus();
}

absl::StatusOr<EvpPkeyPtr> WeierstrassKey(const NamedCurve& curve, const Bytes& point) {
  if (point.empty() || point[0] != 0x04) {
    return absl::InvalidArgumentError("EC point must be uncompressed");
  }
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group_name, 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return OsslInternal("cannot build EC key parameters");
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (params == nullptr) return OsslInternal("cannot build EC key parameters");
  ASSIGN_OR_RETURN(EvpPkeyPtr key, KeyFromParams(curve.key_type, params.get()));
  RETURN_IF_ERROR(CheckPublicKey(key.get()));
  return key;
}

}  // namespace

absl::StatusOr<Bytes> EcPublicKeyToSpki(absl::Span<const uint8_t> ec_params_der,
                                        absl::Span<const uint8_t> ec_point) {
  ASSIGN_OR_RETURN(const NamedCurve* curve, FindCurve(ec_params_der));
  if (curve->field_bytes == 0) {
    ASSIGN_OR_RETURN(Bytes raw, UnwrapPoint(ec_point, kEd25519KeyBytes));
    EvpPkeyPtr key(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, raw.data(), raw.size()));
    if (key == nullptr) return OsslInvalidArgument("invalid Ed25519 public key");
    return EncodeSpkiDer(key.get());
  }
  ASSIGN_OR_RETURN(Bytes point, UnwrapPoint(ec_point, 1 + 2 * curve->field_bytes));
  ASSIGN_OR_RETURN(EvpPkeyPtr key, WeierstrassKey(*curve, point));
  return EncodeSpkiDer(key.get());
}

absl::StatusOr<Bytes> RsaPublicKeyToSpki(absl::Span<const uint8_t> modulus,
                                         absl::Span<const uint8_t> public_exponent) {
  BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  BignumPtr e(BN_bin2bn(public_exponent.data(), static_cast<int>(public_exponent.size()), nullptr));
  if (n == nullptr || e == nullptr) return OsslInternal("cannot allocate BIGNUM");
  const int bits = BN_num_bits(n.get());
  if (bits < 1024 || bits > 16384 || !BN_is_odd(n.get())) {
    return absl::InvalidArgumentError("RSA modulus must be odd and 1024 to 16384 bits");
  }
  if (!BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_cmp(e.get(), n.get()) >= 0) {
    return absl::InvalidArgumentError("RSA public exponent must be odd, greater than 1 and < n");
  }
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OsslInternal("cannot build RSA key parameters");
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (params == nullptr) return OsslInternal("cannot build RSA key parameters");
  ASSIGN_OR_RETURN(EvpPkeyPtr key, KeyFromParams("RSA", params.get()));
  return EncodeSpkiDer(key.get());
}

absl::StatusOr<EvpPkeyPtr> ParseSpkiDer(absl::Span<const uint8_t> spki) {
  const unsigned char* in = spki.data();
  EvpPkeyPtr key(d2i_PUBKEY_ex(nullptr, &in, static_cast<long>(spki.size()), nullptr, nullptr));
  if (key == nullptr) return OsslInvalidArgument("malformed SubjectPublicKeyInfo");
  if (in != spki.data() + spki.size()) {
    return absl::InvalidArgumentError("trailing bytes after SubjectPublicKeyInfo");
  }
  if (EVP_PKEY_is_a(key.get(), "EC") || EVP_PKEY_is_a(key.get(), "SM2")) {
    RETURN_IF_ERROR(CheckPublicKey(key.get()));
  }
  return key;
}

absl::StatusOr<Bytes> EncodeSpkiDer(const EVP_PKEY* key) {
  if (key == nullptr) return absl::InvalidArgumentError("no key to encode");
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return OsslInternal("cannot encode SubjectPublicKeyInfo");
  Bytes der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  if (i2d_PUBKEY(key, &out) != len) return OsslInternal("cannot encode SubjectPublicKeyInfo");
  return der;
}

absl::StatusOr<std::string> SpkiDerToPem(absl::Span<const uint8_t> spki) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseSpkiDer(spki));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return OsslInternal("cannot write PEM public key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return OsslInternal("cannot write PEM public key");
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<Bytes> PemToSpkiDer(std::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("PEM input too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OsslInternal("cannot allocate BIO");
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return OsslInvalidArgument("malformed PEM public key");
  ASSIGN_OR_RETURN(Bytes spki, EncodeSpkiDer(key.get()));
  RETURN_IF_ERROR(ParseSpkiDer(spki).status());  // same validation as the DER path
  return spki;
}

}  // namespace yinjian::hsm
