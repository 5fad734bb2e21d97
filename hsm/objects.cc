#include "hsm/objects.h"

#include <cstring>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/attributes.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {

ScopedObject::ScopedObject(ScopedObject&& other) noexcept
    : token_(std::exchange(other.token_, nullptr)), handle_(other.handle_) {}

ScopedObject& ScopedObject::operator=(ScopedObject&& other) noexcept {
  if (this != &other) {
    (void)Destroy();
    token_ = std::exchange(other.token_, nullptr);
    handle_ = other.handle_;
  }
  return *this;
}

ScopedObject::~ScopedObject() { (void)Destroy(); }

CK_OBJECT_HANDLE ScopedObject::Keep() {
  token_ = nullptr;
  return handle_;
}

absl::Status ScopedObject::Destroy() {
  if (token_ == nullptr) return absl::OkStatus();
  Token* token = std::exchange(token_, nullptr);
  return DestroyObject(*token, handle_);
}

absl::Status DestroyObject(Token& token, CK_OBJECT_HANDLE object) {
  return token.Run([&](CK_SESSION_HANDLE session) {
    return P11_CALL(token.functions(), C_DestroyObject, session, object);
  });
}

absl::StatusOr<ScopedObject> CreateObject(Token& token, AttributeTemplate& object_template) {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) {
    return P11_CALL(token.functions(), C_CreateObject, session, object_template.data(),
                    object_template.size(), &handle);
  }));
  return ScopedObject(&token, handle);
}

namespace {

AttributeTemplate QueryTemplate(const ObjectQuery& query) {
  AttributeTemplate t;
  if (query.object_class) t.SetUlong(CKA_CLASS, *query.object_class);
  if (query.key_type) t.SetUlong(CKA_KEY_TYPE, *query.key_type);
  if (query.id) t.SetBytes(CKA_ID, *query.id);
  if (query.label) t.SetString(CKA_LABEL, *query.label);
  if (query.token_object) t.SetBool(CKA_TOKEN, *query.token_object);
  return t;
}

}  // namespace

absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> FindObjects(Token& token, const ObjectQuery& query) {
  std::vector<CK_OBJECT_HANDLE> found;
  CK_FUNCTION_LIST* fl = token.functions();
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    found.clear();
    AttributeTemplate t = QueryTemplate(query);
    RETURN_IF_ERROR(P11_CALL(fl, C_FindObjectsInit, session, t.data(), t.size()));
    absl::Cleanup finish = [&] { (void)P11_CALL(fl, C_FindObjectsFinal, session); };
    CK_OBJECT_HANDLE batch[64];
    for (;;) {
      CK_ULONG count = 0;
      RETURN_IF_ERROR(P11_CALL(fl, C_FindObjects, session, batch, 64, &count));
      if (count == 0) return absl::OkStatus();
      found.insert(found.end(), batch, batch + count);
    }
  }));
  return found;
}

absl::StatusOr<CK_OBJECT_HANDLE> FindObject(Token& token, const ObjectQuery& query) {
  ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> found, FindObjects(token, query));
  std::string what = query.label ? absl::StrCat("label '", *query.label, "'") : "that identity";
  if (found.empty()) return absl::NotFoundError(absl::StrCat("no HSM object with ", what));
  if (found.size() > 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(found.size(), " HSM objects match ", what, "; expected one"));
  }
  return found.front();
}

absl::StatusOr<Bytes> ReadBytesAttribute(CK_FUNCTION_LIST* fl, CK_SESSION_HANDLE session,
                                         CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE attribute = {type, nullptr, 0};
  RETURN_IF_ERROR(P11_CALL(fl, C_GetAttributeValue, session, object, &attribute, 1));
  Bytes value(attribute.ulValueLen);
  attribute.pValue = value.data();
  RETURN_IF_ERROR(P11_CALL(fl, C_GetAttributeValue, session, object, &attribute, 1));
  value.resize(attribute.ulValueLen);
  return value;
}

absl::StatusOr<CK_ULONG> ReadUlongAttribute(CK_FUNCTION_LIST* fl, CK_SESSION_HANDLE session,
                                            CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ULONG value = 0;
  CK_ATTRIBUTE attribute = {type, &value, sizeof(value)};
  RETURN_IF_ERROR(P11_CALL(fl, C_GetAttributeValue, session, object, &attribute, 1));
  return value;
}

absl::StatusOr<Bytes> ReadBytesAttribute(Token& token, CK_OBJECT_HANDLE object,
                                         CK_ATTRIBUTE_TYPE type) {
  Bytes value;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    ASSIGN_OR_RETURN(value, ReadBytesAttribute(token.functions(), session, object, type));
    return absl::OkStatus();
  }));
  return value;
}

absl::StatusOr<CK_ULONG> ReadUlongAttribute(Token& token, CK_OBJECT_HANDLE object,
                                            CK_ATTRIBUTE_TYPE type) {
  CK_ULONG value = 0;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    ASSIGN_OR_RETURN(value, ReadUlongAttribute(token.functions(), session, object, type));
    return absl::OkStatus();
  }));
  return value;
}

absl::StatusOr<SecureBytes> ReadSecretValue(Token& token, CK_OBJECT_HANDLE object) {
  SecureBytes value;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_ATTRIBUTE attribute = {CKA_VALUE, nullptr, 0};
    RETURN_IF_ERROR(
        P11_CALL(token.functions(), C_GetAttributeValue, session, object, &attribute, 1));
    value.resize(attribute.ulValueLen);
    attribute.pValue = value.data();
    RETURN_IF_ERROR(
        P11_CALL(token.functions(), C_GetAttributeValue, session, object, &attribute, 1));
    value.resize(attribute.ulValueLen);
    return absl::OkStatus();
  }));
  return value;
}

absl::StatusOr<bool> ReadBoolAttribute(Token& token, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type) {
  CK_BBOOL value = CK_FALSE;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) {
    CK_ATTRIBUTE attribute = {type, &value, sizeof(value)};
    return P11_CALL(token.functions(), C_GetAttributeValue, session, object, &attribute, 1);
  }));
  return value != CK_FALSE;
}

}  // namespace yinjian::hsm
