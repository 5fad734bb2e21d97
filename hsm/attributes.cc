#include "hsm/attributes.h"

#include <openssl/crypto.h>

#include <cstring>

namespace yinjian::hsm {

AttributeTemplate::~AttributeTemplate() {
  for (std::vector<uint8_t>& value : storage_) OPENSSL_cleanse(value.data(), value.size());
}

AttributeTemplate& AttributeTemplate::Set(CK_ATTRIBUTE_TYPE type, const void* value,
                                          size_t length) {
  const uint8_t* bytes = static_cast<const uint8_t*>(value);
  storage_.emplace_back(bytes, bytes + length);
  std::vector<uint8_t>& stored = storage_.back();
  CK_ATTRIBUTE attribute = {type, stored.empty() ? nullptr : stored.data(), length};
  for (CK_ATTRIBUTE& existing : attributes_) {
    if (existing.type == type) {
      existing = attribute;
      return *this;
    }
  }
  attributes_.push_back(attribute);
  return *this;
}

AttributeTemplate& AttributeTemplate::SetBool(CK_ATTRIBUTE_TYPE type, bool value) {
  CK_BBOOL b = value ? CK_TRUE : CK_FALSE;
  return Set(type, &b, sizeof(b));
}

AttributeTemplate& AttributeTemplate::SetUlong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
  return Set(type, &value, sizeof(value));
}

AttributeTemplate& AttributeTemplate::SetBytes(CK_ATTRIBUTE_TYPE type,
                                               absl::Span<const uint8_t> value) {
  return Set(type, value.data(), value.size());
}

AttributeTemplate& AttributeTemplate::SetString(CK_ATTRIBUTE_TYPE type, absl::string_view value) {
  return Set(type, value.data(), value.size());
}

const CK_ATTRIBUTE* AttributeTemplate::Find(CK_ATTRIBUTE_TYPE type) const {
  for (const CK_ATTRIBUTE& attribute : attributes_) {
    if (attribute.type == type) return &attribute;
  }
  return nullptr;
}

std::optional<bool> AttributeTemplate::GetBool(CK_ATTRIBUTE_TYPE type) const {
  const CK_ATTRIBUTE* a = Find(type);
  if (a == nullptr || a->ulValueLen != sizeof(CK_BBOOL)) return std::nullopt;
  return *static_cast<const CK_BBOOL*>(a->pValue) != CK_FALSE;
}

std::optional<CK_ULONG> AttributeTemplate::GetUlong(CK_ATTRIBUTE_TYPE type) const {
  const CK_ATTRIBUTE* a = Find(type);
  if (a == nullptr || a->ulValueLen != sizeof(CK_ULONG)) return std::nullopt;
  CK_ULONG value;
  std::memcpy(&value, a->pValue, sizeof(value));
  return value;
}

std::optional<Bytes> AttributeTemplate::GetBytes(CK_ATTRIBUTE_TYPE type) const {
  const CK_ATTRIBUTE* a = Find(type);
  if (a == nullptr) return std::nullopt;
  const uint8_t* p = static_cast<const uint8_t*>(a->pValue);
  return Bytes(p, p + a->ulValueLen);
}

namespace {

// Label, id, token/private flags shared by every key template.
void SetCommon(AttributeTemplate& t, CK_OBJECT_CLASS object_class, CK_KEY_TYPE key_type,
               bool is_private, const KeyOptions& options) {
  t.SetUlong(CKA_CLASS, object_class).SetUlong(CKA_KEY_TYPE, key_type);
  t.SetBool(CKA_TOKEN, options.token_object).SetBool(CKA_PRIVATE, is_private);
  if (!options.label.empty()) t.SetString(CKA_LABEL, options.label);
  if (!options.id.empty()) t.SetBytes(CKA_ID, options.id);
}

// Secret and private keys: sensitive always; extractable only on request.
void SetSecrecy(AttributeTemplate& t, const KeyOptions& options) {
  t.SetBool(CKA_SENSITIVE, true).SetBool(CKA_EXTRACTABLE, options.extractable);
}

uint32_t UsageOr(const KeyOptions& options, uint32_t fallback) {
  return options.usage != 0 ? options.usage : fallback;
}

}  // namespace

AttributeTemplate SecretKeyTemplate(CK_KEY_TYPE key_type, CK_ULONG value_length,
                                    const KeyOptions& options) {
  AttributeTemplate t;
  SetCommon(t, CKO_SECRET_KEY, key_type, /*is_private=*/true, options);
  SetSecrecy(t, options);
  if (value_length != 0) t.SetUlong(CKA_VALUE_LEN, value_length);
  uint32_t usage = UsageOr(options, key_type == CKK_AES ? kUsageEncrypt | kUsageDecrypt
                                                        : kUsageSign | kUsageVerify);
  t.SetBool(CKA_ENCRYPT, usage & kUsageEncrypt).SetBool(CKA_DECRYPT, usage & kUsageDecrypt);
  t.SetBool(CKA_SIGN, usage & kUsageSign).SetBool(CKA_VERIFY, usage & kUsageVerify);
  t.SetBool(CKA_WRAP, usage & kUsageWrap).SetBool(CKA_UNWRAP, usage & kUsageUnwrap);
  t.SetBool(CKA_DERIVE, usage & kUsageDerive);
  return t;
}

AttributeTemplate PrivateKeyTemplate(CK_KEY_TYPE key_type, const KeyOptions& options) {
  AttributeTemplate t;
  SetCommon(t, CKO_PRIVATE_KEY, key_type, /*is_private=*/true, options);
  SetSecrecy(t, options);
  uint32_t usage = UsageOr(options, kUsageSign | kUsageVerify);
  t.SetBool(CKA_SIGN, usage & kUsageSign).SetBool(CKA_DECRYPT, usage & kUsageDecrypt);
  t.SetBool(CKA_UNWRAP, usage & kUsageUnwrap).SetBool(CKA_DERIVE, usage & kUsageDerive);
  return t;
}

namespace {

AttributeTemplate PublicKeyTemplate(CK_KEY_TYPE key_type, const KeyOptions& options) {
  AttributeTemplate t;
  SetCommon(t, CKO_PUBLIC_KEY, key_type, /*is_private=*/false, options);
  uint32_t usage = UsageOr(options, kUsageSign | kUsageVerify);
  t.SetBool(CKA_VERIFY, usage & kUsageVerify).SetBool(CKA_ENCRYPT, usage & kUsageEncrypt);
  t.SetBool(CKA_WRAP, usage & kUsageWrap).SetBool(CKA_DERIVE, false);
  return t;
}

}  // namespace

KeyPairTemplates EcKeyPairTemplates(CK_KEY_TYPE key_type, absl::Span<const uint8_t> ec_params,
                                    const KeyOptions& options) {
  KeyPairTemplates pair{PublicKeyTemplate(key_type, options),
                        PrivateKeyTemplate(key_type, options)};
  pair.public_key.SetBytes(CKA_EC_PARAMS, ec_params);
  return pair;
}

KeyPairTemplates RsaKeyPairTemplates(CK_ULONG modulus_bits, const KeyOptions& options) {
  static constexpr uint8_t kExponent65537[] = {0x01, 0x00, 0x01};
  KeyPairTemplates pair{PublicKeyTemplate(CKK_RSA, options),
                        PrivateKeyTemplate(CKK_RSA, options)};
  pair.public_key.SetUlong(CKA_MODULUS_BITS, modulus_bits);
  pair.public_key.SetBytes(CKA_PUBLIC_EXPONENT, kExponent65537);
  return pair;
}

}  // namespace yinjian::hsm
