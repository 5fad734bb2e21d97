// HSM objects by identity (CKA_ID / CKA_LABEL), attribute reads, and ScopedObject: a newly
// created object is destroyed when its owner goes out of scope unless explicitly kept, so error
// paths leave no orphans in the HSM.
#ifndef YINJIAN_HSM_OBJECTS_H_
#define YINJIAN_HSM_OBJECTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hsm/attributes.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

class ScopedObject {
 public:
  ScopedObject() = default;
  ScopedObject(Token* token, CK_OBJECT_HANDLE handle) : token_(token), handle_(handle) {}
  ScopedObject(ScopedObject&& other) noexcept;
  ScopedObject& operator=(ScopedObject&& other) noexcept;
  ScopedObject(const ScopedObject&) = delete;
  ScopedObject& operator=(const ScopedObject&) = delete;
  ~ScopedObject();  // destroys the object unless Keep() was called

  CK_OBJECT_HANDLE handle() const { return handle_; }
  bool valid() const { return token_ != nullptr; }
  // Disowns the object: it outlives this wrapper. Returns its handle.
  CK_OBJECT_HANDLE Keep();
  // Destroys the object now and reports the outcome.
  absl::Status Destroy();

 private:
  Token* token_ = nullptr;
  CK_OBJECT_HANDLE handle_ = CK_INVALID_HANDLE;
};

struct ScopedKeyPair {
  ScopedObject public_key;
  ScopedObject private_key;
};

struct ObjectQuery {
  std::optional<CK_OBJECT_CLASS> object_class;
  std::optional<CK_KEY_TYPE> key_type;
  std::optional<Bytes> id;           // CKA_ID
  std::optional<std::string> label;  // CKA_LABEL
  std::optional<bool> token_object;  // CKA_TOKEN
};

// Handles of every object matching all the query's set fields (possibly none).
absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> FindObjects(Token& token, const ObjectQuery& query);
// The single match: NOT_FOUND if none, FAILED_PRECONDITION if several.
absl::StatusOr<CK_OBJECT_HANDLE> FindObject(Token& token, const ObjectQuery& query);

// Destroys an object. NOT_FOUND if the handle is no longer valid.
absl::Status DestroyObject(Token& token, CK_OBJECT_HANDLE object);

// Creates an object from a complete template (C_CreateObject), e.g. a secret key with its
// CKA_VALUE. The template may hold key material; it wipes it when it goes away.
absl::StatusOr<ScopedObject> CreateObject(Token& token, AttributeTemplate& object_template);

// Attribute reads on a session the caller already holds (inside Token::Run), and on the token.
absl::StatusOr<Bytes> ReadBytesAttribute(CK_FUNCTION_LIST* functions, CK_SESSION_HANDLE session,
                                         CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
absl::StatusOr<CK_ULONG> ReadUlongAttribute(CK_FUNCTION_LIST* functions, CK_SESSION_HANDLE session,
                                            CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);
absl::StatusOr<Bytes> ReadBytesAttribute(Token& token, CK_OBJECT_HANDLE object,
                                         CK_ATTRIBUTE_TYPE type);
absl::StatusOr<CK_ULONG> ReadUlongAttribute(Token& token, CK_OBJECT_HANDLE object,
                                            CK_ATTRIBUTE_TYPE type);
// For the value of a non-sensitive secret object (software-protected key material unwrapped for
// one operation): the bytes only ever live in SecureBytes.
absl::StatusOr<SecureBytes> ReadSecretValue(Token& token, CK_OBJECT_HANDLE object);
absl::StatusOr<bool> ReadBoolAttribute(Token& token, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_OBJECTS_H_
