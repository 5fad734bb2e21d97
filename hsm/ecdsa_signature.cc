#include "hsm/ecdsa_signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <algorithm>

#include "absl/status/status.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"

namespace yinjian::hsm {
namespace {

constexpr size_t kMaxFieldBytes = 66;  // P-521

}  // namespace

absl::StatusOr<Bytes> EcdsaRawToDer(absl::Span<const uint8_t> r_concat_s) {
  if (r_concat_s.empty() || r_concat_s.size() % 2 != 0 || r_concat_s.size() > 2 * kMaxFieldBytes) {
    return absl::InvalidArgumentError("raw ECDSA signature has an invalid length");
  }
  const size_t half = r_concat_s.size() / 2;
  BignumPtr r(BN_bin2bn(r_concat_s.data(), static_cast<int>(half), nullptr));
  BignumPtr s(BN_bin2bn(r_concat_s.data() + half, static_cast<int>(half), nullptr));
  if (r == nullptr || s == nullptr) return OsslInternal("cannot allocate BIGNUM");
  if (BN_is_zero(r.get()) || BN_is_zero(s.get())) {
    return absl::InvalidArgumentError("raw ECDSA signature has a zero component");
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (sig == nullptr || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OsslInternal("cannot build ECDSA_SIG");
  }
  r.release();  // now owned by sig
  s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OsslInternal("cannot encode ECDSA signature");
  Bytes der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return OsslInternal("cannot encode ECDSA signature");
  return der;
}

absl::StatusOr<Bytes> EcdsaDerToRaw(absl::Span<const uint8_t> der, size_t field_bytes) {
  if (field_bytes == 0 || field_bytes > kMaxFieldBytes) {
    return absl::InvalidArgumentError("unsupported ECDSA field size");
  }
  const unsigned char* in = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (sig == nullptr) return OsslInvalidArgument("malformed DER ECDSA signature");
  if (in != der.data() + der.size()) {
    return absl::InvalidArgumentError("trailing bytes after DER ECDSA signature");
  }
  // d2i tolerates some BER; canonical DER must re-encode to exactly the input.
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  Bytes reencoded(len > 0 ? static_cast<size_t>(len) : 0);
  unsigned char* out = reencoded.data();
  if (len <= 0 || i2d_ECDSA_SIG(sig.get(), &out) != len ||
      !std::equal(reencoded.begin(), reencoded.end(), der.begin(), der.end())) {
    ClearOsslErrors();
    return absl::InvalidArgumentError("DER ECDSA signature is not canonical");
  }
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (BN_is_negative(r) || BN_is_negative(s) || BN_is_zero(r) || BN_is_zero(s)) {
    return absl::InvalidArgumentError("ECDSA signature component out of range");
  }
  Bytes raw(2 * field_bytes);
  if (BN_bn2binpad(r, raw.data(), static_cast<int>(field_bytes)) < 0 ||
      BN_bn2binpad(s, raw.data() + field_bytes, static_cast<int>(field_bytes)) < 0) {
    ClearOsslErrors();
    return absl::InvalidArgumentError("ECDSA signature component too large for the curve");
  }
  return raw;
}

}  // namespace yinjian::hsm
