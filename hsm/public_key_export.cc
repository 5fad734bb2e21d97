#include "hsm/public_key_export.h"

#include "common/status_macros.h"
#include "hsm/objects.h"
#include "hsm/public_key.h"

namespace yinjian::hsm {

absl::StatusOr<Bytes> ExportPublicKeySpki(Token& token, CK_OBJECT_HANDLE public_key) {
  bool is_public_key = false;
  CK_KEY_TYPE key_type = CKK_VENDOR_DEFINED;  // not 0: that is CKK_RSA
  Bytes first, second;  // EC: params, point; RSA: modulus, exponent
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    ASSIGN_OR_RETURN(CK_ULONG object_class,
                     ReadUlongAttribute(fl, session, public_key, CKA_CLASS));
    is_public_key = object_class == CKO_PUBLIC_KEY;
    if (!is_public_key) return absl::OkStatus();  // a private half must not pass as public
    ASSIGN_OR_RETURN(key_type, ReadUlongAttribute(fl, session, public_key, CKA_KEY_TYPE));
    if (key_type == CKK_EC || key_type == CKK_EC_EDWARDS) {
      ASSIGN_OR_RETURN(first, ReadBytesAttribute(fl, session, public_key, CKA_EC_PARAMS));
      ASSIGN_OR_RETURN(second, ReadBytesAttribute(fl, session, public_key, CKA_EC_POINT));
    } else if (key_type == CKK_RSA) {
      ASSIGN_OR_RETURN(first, ReadBytesAttribute(fl, session, public_key, CKA_MODULUS));
      ASSIGN_OR_RETURN(second, ReadBytesAttribute(fl, session, public_key, CKA_PUBLIC_EXPONENT));
    }
    return absl::OkStatus();
  }));
  if (!is_public_key) return absl::FailedPreconditionError("object is not a public key");
  if (key_type == CKK_EC || key_type == CKK_EC_EDWARDS) return EcPublicKeyToSpki(first, second);
  if (key_type == CKK_RSA) return RsaPublicKeyToSpki(first, second);
  return absl::FailedPreconditionError("object is not an EC, Ed25519 or RSA public key");
}

}  // namespace yinjian::hsm
