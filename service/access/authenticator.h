// Turns a TLS client certificate into a Caller (R7): the certificate must be bound to a
// principal by its SHA-256 fingerprint, the binding active, the certificate within its validity
// and the principal enabled. Anything else is UNAUTHENTICATED: there is no anonymous or shared
// identity.
//
// Why the fingerprint and not the subject: a subject names whoever a CA chose to call that, and
// any CA the server trusts could issue a second certificate with the same subject; a fingerprint
// names exactly one certificate, so revoking it (or offboarding its principal) is exact and
// needs no CRL. Renewal binds the new certificate (AddCertificate) before the old one expires.
#ifndef YINJIAN_SERVICE_ACCESS_AUTHENTICATOR_H_
#define YINJIAN_SERVICE_ACCESS_AUTHENTICATOR_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/access/caller.h"
#include "service/store/store.h"

namespace yinjian::access {

struct AuthenticatorOptions {
  // How long an identity is reused without reading the store. Invalidate() forgets them all at
  // once (this process changed principals); other replicas' changes are seen within this bound.
  absl::Duration cache_ttl = absl::Seconds(1);
  size_t cache_capacity = 10000;
};

class Authenticator {
 public:
  Authenticator(store::Store& store, AuthenticatorOptions options)
      : store_(store), options_(options) {}

  // The caller proven by `certificate_pem` (the TLS peer's certificate, already verified against
  // the client CA by the TLS handshake). UNAUTHENTICATED with a short reason otherwise;
  // UNAVAILABLE if the store cannot be read.
  absl::StatusOr<Caller> IdentifyCertificate(absl::string_view certificate_pem);

  // Development plaintext mode only: the principal named in the request header, which nothing
  // proves. UNAUTHENTICATED for an unknown or disabled principal.
  absl::StatusOr<Caller> IdentifyByName(absl::string_view principal);

  // Forgets every cached identity.
  void Invalidate();

 private:
  struct Entry {
    Caller caller;
    absl::Time not_after;  // of the certificate
    absl::Time loaded;
  };
  absl::StatusOr<Entry> Load(absl::string_view certificate_pem);
  absl::StatusOr<Caller> FromEntry(const Entry& entry, absl::Time now) const;

  store::Store& store_;
  const AuthenticatorOptions options_;
  absl::Mutex mu_;
  std::map<std::string, Entry, std::less<>> cache_ ABSL_GUARDED_BY(mu_);  // by PEM
};

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_AUTHENTICATOR_H_
