// Attribute templates for creating and finding objects. A template owns its values, so the
// CK_ATTRIBUTE pointers it hands to C_* functions stay valid for its lifetime.
//
// Key templates are explicit about every security attribute: keys are private and sensitive,
// non-extractable unless asked, and may do only the operations their usage names.
#ifndef YINJIAN_HSM_ATTRIBUTES_H_
#define YINJIAN_HSM_ATTRIBUTES_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

class AttributeTemplate {
 public:
  AttributeTemplate() = default;
  // Wipes every stored value: a template may carry key material (CKA_VALUE) on import.
  ~AttributeTemplate();
  AttributeTemplate(AttributeTemplate&&) = default;
  AttributeTemplate& operator=(AttributeTemplate&&) = default;
  AttributeTemplate(const AttributeTemplate&) = delete;
  AttributeTemplate& operator=(const AttributeTemplate&) = delete;

  // Each setter replaces an earlier value of the same attribute type.
  AttributeTemplate& SetBool(CK_ATTRIBUTE_TYPE type, bool value);
  AttributeTemplate& SetUlong(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
  AttributeTemplate& SetBytes(CK_ATTRIBUTE_TYPE type, absl::Span<const uint8_t> value);
  AttributeTemplate& SetString(CK_ATTRIBUTE_TYPE type, absl::string_view value);

  std::optional<bool> GetBool(CK_ATTRIBUTE_TYPE type) const;
  std::optional<CK_ULONG> GetUlong(CK_ATTRIBUTE_TYPE type) const;
  std::optional<Bytes> GetBytes(CK_ATTRIBUTE_TYPE type) const;
  bool Has(CK_ATTRIBUTE_TYPE type) const { return Find(type) != nullptr; }

  CK_ATTRIBUTE* data() { return attributes_.data(); }
  CK_ULONG size() const { return attributes_.size(); }

 private:
  const CK_ATTRIBUTE* Find(CK_ATTRIBUTE_TYPE type) const;
  AttributeTemplate& Set(CK_ATTRIBUTE_TYPE type, const void* value, size_t length);

  std::vector<CK_ATTRIBUTE> attributes_;
  std::deque<std::vector<uint8_t>> storage_;  // deque: growing it never moves existing values
};

// Operations a key may be used for (CKA_ENCRYPT, CKA_SIGN, ...). Each is set explicitly to true
// or false in a key template.
enum KeyUsage : uint32_t {
  kUsageEncrypt = 1u << 0,
  kUsageDecrypt = 1u << 1,
  kUsageSign = 1u << 2,
  kUsageVerify = 1u << 3,
  kUsageWrap = 1u << 4,
  kUsageUnwrap = 1u << 5,
  kUsageDerive = 1u << 6,
};

struct KeyOptions {
  std::string label;            // CKA_LABEL
  Bytes id;                     // CKA_ID: the key's identity in the HSM (not its handle)
  bool token_object = false;    // CKA_TOKEN: persists in the token; otherwise a session object
  bool extractable = false;     // CKA_EXTRACTABLE: may be wrapped by another key
  uint32_t usage = 0;           // KeyUsage bits; 0 means the default for the key type
};

// CKO_SECRET_KEY of `key_type` (CKK_AES, CKK_GENERIC_SECRET). `value_length` is CKA_VALUE_LEN
// for generation; 0 leaves it out (for unwrapping, where the wrapped key knows its length).
// Default usage: AES encrypt|decrypt, generic secret sign|verify.
AttributeTemplate SecretKeyTemplate(CK_KEY_TYPE key_type, CK_ULONG value_length,
                                    const KeyOptions& options);

struct KeyPairTemplates {
  AttributeTemplate public_key;
  AttributeTemplate private_key;
};

// EC (CKK_EC, CKK_EC_EDWARDS) key pair with CKA_EC_PARAMS `ec_params` (DER OID). Default usage:
// sign|verify.
KeyPairTemplates EcKeyPairTemplates(CK_KEY_TYPE key_type, absl::Span<const uint8_t> ec_params,
                                    const KeyOptions& options);
// RSA key pair of `modulus_bits` with public exponent 65537. Default usage: sign|verify.
KeyPairTemplates RsaKeyPairTemplates(CK_ULONG modulus_bits, const KeyOptions& options);

// The private half alone, e.g. for unwrapping a wrapped private key.
AttributeTemplate PrivateKeyTemplate(CK_KEY_TYPE key_type, const KeyOptions& options);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_ATTRIBUTES_H_
