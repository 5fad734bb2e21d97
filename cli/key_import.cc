#include "cli/key_import.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <climits>
#include <cstddef>
#include <optional>

#include "absl/strings/str_cat.h"
#include "cli/key_kind_names.h"
#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "hsm/public_key.h"
#include "service/pki/pem_codec.h"

namespace yinjian::cli {
namespace {

// How a kind's material is given.
enum class MaterialForm {
  kRawKey,         // the key bytes themselves
  kEcPrivateKey,   // a PEM EC private key
  kRsaPrivateKey,  // a PEM RSA private key
};

struct ImportableKind {
  v1::KeyKind kind;
  MaterialForm form;
  int size;  // kRawKey: bytes; kEcPrivateKey: the curve's NID; kRsaPrivateKey: modulus bits
};

constexpr ImportableKind kImportableKinds[] = {
    {v1::KEY_KIND_AES256_GCM, MaterialForm::kRawKey, 32},
    {v1::KEY_KIND_HMAC_SHA256, MaterialForm::kRawKey, 32},
    {v1::KEY_KIND_HMAC_SHA384, MaterialForm::kRawKey, 48},
    {v1::KEY_KIND_ECDSA_P256, MaterialForm::kEcPrivateKey, NID_X9_62_prime256v1},
    {v1::KEY_KIND_ECDSA_P384, MaterialForm::kEcPrivateKey, NID_secp384r1},
    {v1::KEY_KIND_RSA_PSS_2048, MaterialForm::kRsaPrivateKey, 2048},
    {v1::KEY_KIND_RSA_PSS_3072, MaterialForm::kRsaPrivateKey, 3072},
    {v1::KEY_KIND_RSA_PSS_4096, MaterialForm::kRsaPrivateKey, 4096},
    {v1::KEY_KIND_RSA_PKCS1_2048, MaterialForm::kRsaPrivateKey, 2048},
    {v1::KEY_KIND_RSA_PKCS1_3072, MaterialForm::kRsaPrivateKey, 3072},
    {v1::KEY_KIND_RSA_PKCS1_4096, MaterialForm::kRsaPrivateKey, 4096},
};

// AES-256: the transport key K.
constexpr size_t kTransportKeyBytes = 32;
constexpr int kMinImportKeyBits = 2048;

absl::StatusOr<ImportableKind> FindImportableKind(v1::KeyKind kind) {
  for (const ImportableKind& entry : kImportableKinds) {
    if (entry.kind == kind) return entry;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("kind ", KeyKindName(kind), " cannot be imported"));
}

absl::StatusOr<ImportMaterial> ReadRawKey(const ImportableKind& spec, absl::string_view file) {
  const size_t expected = static_cast<size_t>(spec.size);
  if (file.size() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(KeyKindName(spec.kind), " material must be the raw key, exactly ", expected,
                     " bytes (not hex or base64); the file has ", file.size()));
  }
  ImportMaterial out;
  out.material.assign(file.begin(), file.end());
  return out;
}

// Where the private key's PEM block starts in `file`, skipping an "EC PARAMETERS" block as
// `openssl ecparam -genkey` writes before the key. Labels are matched against known ones only,
// so no error ever repeats anything from the file.
absl::StatusOr<size_t> FindPrivateKeyBlock(absl::string_view file) {
  static constexpr absl::string_view kBegin = "-----BEGIN ";
  size_t begin = file.find(kBegin);
  while (begin != absl::string_view::npos) {
    const size_t label_start = begin + kBegin.size();
    const size_t label_end = file.find("-----", label_start);
    if (label_end == absl::string_view::npos) break;
    const absl::string_view label = file.substr(label_start, label_end - label_start);
    if (label == "PRIVATE KEY" || label == "EC PRIVATE KEY" || label == "RSA PRIVATE KEY") {
      return begin;
    }
    if (label == "ENCRYPTED PRIVATE KEY") {
      return absl::InvalidArgumentError(
          "the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN), "
          "no password is ever asked for");
    }
    if (label == "PUBLIC KEY" || label == "RSA PUBLIC KEY" || label == "CERTIFICATE") {
      return absl::InvalidArgumentError(
          "the file holds a public key or certificate, not a private key");
    }
    if (label != "EC PARAMETERS") break;
    begin = file.find(kBegin, label_end);
  }
  return absl::InvalidArgumentError(
      "the material must be a PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
}

absl::Status CheckEcKey(const ImportableKind& spec, EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) {
    return absl::InvalidArgumentError(absl::StrCat(KeyKindName(spec.kind),
                                                   " needs an EC private key; the file's key is ",
                                                   EVP_PKEY_get0_type_name(key)));
  }
  char group[80] = {};
  size_t group_length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length) != 1 ||
      OBJ_txt2nid(group) != spec.size) {
    hsm::ClearOsslErrors();
    return absl::InvalidArgumentError(absl::StrCat(KeyKindName(spec.kind), " needs a key on ",
                                                   spec.size == NID_secp384r1 ? "P-384" : "P-256",
                                                   "; the file's key is on another curve"));
  }
  // The PKCS#8 and SPKI encodings name the curve and carry the point uncompressed, whatever
  // form the file used, so the server and the HSM see the usual encoding.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING,
                                       const_cast<char*>(OSSL_PKEY_EC_ENCODING_GROUP), 0),
      OSSL_PARAM_construct_utf8_string(
          OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
          const_cast<char*>(OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED), 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_PKEY_set_params(key, const_cast<OSSL_PARAM*>(params)) != 1) {
    return hsm::OsslInternal("setting the EC key's encoding");
  }
  return absl::OkStatus();
}

absl::Status CheckRsaKey(const ImportableKind& spec, const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        KeyKindName(spec.kind), " needs an RSA private key (rsaEncryption); the file's key is ",
        EVP_PKEY_get0_type_name(key)));
  }
  const int bits = EVP_PKEY_get_bits(key);
  if (bits != spec.size) {
    return absl::InvalidArgumentError(absl::StrCat(KeyKindName(spec.kind), " needs a ", spec.size,
                                                   "-bit RSA key; the file's key has ", bits,
                                                   " bits"));
  }
  return absl::OkStatus();
}

// That the private half is there and matches the public half (for RSA also that the primes are
// primes and the CRT values consistent), so a damaged key fails here rather than at the server.
absl::Status CheckKeyPair(EVP_PKEY* key) {
  const hsm::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (ctx == nullptr) return hsm::OsslInternal("allocating a key context");
  if (EVP_PKEY_pairwise_check(ctx.get()) != 1) {
    return hsm::OsslInvalidArgument("the private key is not a consistent key pair");
  }
  return absl::OkStatus();
}

absl::StatusOr<hsm::SecureBytes> EncodePkcs8Der(const EVP_PKEY* key) {
  // The secure-memory BIO wipes its buffer when freed, so the only lasting copy is the
  // SecureBytes returned.
  const hsm::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr || i2d_PKCS8PrivateKeyInfo_bio(bio.get(), key) != 1) {
    return hsm::OsslInternal("encoding the private key as PKCS#8");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return hsm::OsslInternal("encoding the private key as PKCS#8");
  return hsm::SecureBytes(data, data + size);
}

absl::StatusOr<ImportMaterial> ReadPrivateKey(const ImportableKind& spec, absl::string_view file) {
  ASSIGN_OR_RETURN(const size_t block, FindPrivateKeyBlock(file));
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, pki::ParsePrivateKeyPem(hsm::AsSpan(file.substr(block))));
  if (spec.form == MaterialForm::kEcPrivateKey) {
    RETURN_IF_ERROR(CheckEcKey(spec, key.get()));
  } else {
    RETURN_IF_ERROR(CheckRsaKey(spec, key.get()));
  }
  RETURN_IF_ERROR(CheckKeyPair(key.get()));
  ImportMaterial out;
  ASSIGN_OR_RETURN(out.material, EncodePkcs8Der(key.get()));
  ASSIGN_OR_RETURN(out.public_key_der, hsm::EncodeSpkiDer(key.get()));
  return out;
}

absl::StatusOr<const EVP_MD*> OaepDigest(absl::string_view name) {
  if (name == "sha256") return EVP_sha256();
  if (name == "sha1") return EVP_sha1();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown OAEP hash \"", name, "\" (expected sha1 or sha256)"));
}

absl::StatusOr<hsm::EvpPkeyPtr> ParseImportPublicKey(absl::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("the import public key is too large");
  }
  const hsm::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return hsm::OsslInternal("allocating a memory BIO");
  hsm::EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) return hsm::OsslInvalidArgument("the import public key is not a PEM key");
  if (EVP_PKEY_is_a(key.get(), "RSA") != 1 || EVP_PKEY_get_bits(key.get()) < kMinImportKeyBits) {
    return absl::InvalidArgumentError(
        "the import public key must be an RSA key of at least 2048 bits");
  }
  return key;
}

// RSA-OAEP of `transport_key` under `import_key`, `md` for both OAEP and MGF1.
absl::StatusOr<std::string> OaepEncrypt(EVP_PKEY* import_key, const EVP_MD* md,
                                        const hsm::SecureBytes& transport_key) {
  const hsm::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, import_key, nullptr));
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return hsm::OsslInternal("setting up RSA-OAEP");
  }
  size_t length = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &length, transport_key.data(), transport_key.size()) !=
      1) {
    return hsm::OsslInternal("RSA-OAEP encryption");
  }
  std::string out(length, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                       transport_key.data(), transport_key.size()) != 1) {
    return hsm::OsslInternal("RSA-OAEP encryption");
  }
  // The server splits the two parts at the modulus length.
  if (length != static_cast<size_t>(EVP_PKEY_get_size(import_key))) {
    return absl::InternalError("RSA-OAEP output is not as long as the modulus");
  }
  out.resize(length);
  return out;
}

// AES-KWP (RFC 5649) of `material` under `transport_key`.
absl::StatusOr<std::string> KeyWrapPad(const hsm::SecureBytes& transport_key,
                                       absl::Span<const uint8_t> material) {
  if (material.size() > static_cast<size_t>(INT_MAX) - 16) {
    return absl::InvalidArgumentError("the key material is too large");
  }
  const hsm::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return hsm::OsslInternal("allocating a cipher context");
  // Wrap ciphers refuse to initialise without this flag (OpenSSL 1.1 and EVP_CIPHER callers).
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_wrap_pad(), nullptr, transport_key.data(),
                         nullptr) != 1) {
    return hsm::OsslInternal("setting up AES key wrap with padding");
  }
  // RFC 5649: the input padded to a multiple of 8 bytes, plus the 8-byte integrity block.
  std::string out((material.size() + 7) / 8 * 8 + 8, '\0');
  int length = 0;
  int final_length = 0;
  unsigned char* const out_data = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptUpdate(ctx.get(), out_data, &length, material.data(),
                        static_cast<int>(material.size())) != 1 ||
      length < 0 || static_cast<size_t>(length) > out.size() ||
      EVP_EncryptFinal_ex(ctx.get(), out_data + length, &final_length) != 1 || final_length != 0) {
    return hsm::OsslInternal("AES key wrap with padding");
  }
  out.resize(static_cast<size_t>(length));
  return out;
}

}  // namespace

absl::Status CheckImportableKind(v1::KeyKind kind) { return FindImportableKind(kind).status(); }

absl::StatusOr<ImportMaterial> ReadImportMaterial(v1::KeyKind kind, absl::string_view file) {
  ASSIGN_OR_RETURN(const ImportableKind spec, FindImportableKind(kind));
  if (spec.form == MaterialForm::kRawKey) return ReadRawKey(spec, file);
  return ReadPrivateKey(spec, file);
}

absl::StatusOr<std::string> WrapForImport(absl::string_view public_key_pem,
                                          absl::string_view oaep_hash,
                                          absl::Span<const uint8_t> material) {
  ASSIGN_OR_RETURN(const EVP_MD* const md, OaepDigest(oaep_hash));
  ASSIGN_OR_RETURN(const hsm::EvpPkeyPtr import_key, ParseImportPublicKey(public_key_pem));
  if (material.empty()) return absl::InvalidArgumentError("no key material to wrap");

  // K lives only in this SecureBytes, whose allocator OPENSSL_cleanse()s it when released.
  hsm::SecureBytes transport_key(kTransportKeyBytes);
  if (RAND_bytes(transport_key.data(), static_cast<int>(transport_key.size())) != 1) {
    return hsm::OsslInternal("generating the transport key");
  }
  ASSIGN_OR_RETURN(std::string wrapped, OaepEncrypt(import_key.get(), md, transport_key));
  ASSIGN_OR_RETURN(const std::string wrapped_material, KeyWrapPad(transport_key, material));
  OPENSSL_cleanse(transport_key.data(), transport_key.size());
  wrapped += wrapped_material;
  return wrapped;
}

}  // namespace yinjian::cli
