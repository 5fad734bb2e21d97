#include "service/access/authenticator.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/access/record_convert.h"
#include "service/pki/certificate_info.h"

namespace yinjian::access {
namespace {

absl::Status Unauthenticated(absl::string_view why) { return absl::UnauthenticatedError(why); }

// NOT_FOUND from the store means "no such binding or principal"; anything else is the store's.
absl::Status UnlessNotFound(const absl::Status& status, absl::string_view why) {
  if (absl::IsNotFound(status)) return Unauthenticated(why);
  return status;
}

}  // namespace

absl::StatusOr<Authenticator::Entry> Authenticator::Load(absl::string_view certificate_pem) {
  absl::StatusOr<pki::CertificateInfo> info = pki::InspectCertificate(certificate_pem);
  if (!info.ok()) return Unauthenticated("the client certificate cannot be read");
  absl::StatusOr<store::CertificateRecord> binding =
      store_.GetCertificate(info->fingerprint_sha256);
  if (!binding.ok()) {
    return UnlessNotFound(binding.status(),
                          absl::StrCat("client certificate ", info->fingerprint_sha256,
                                       " is not bound to any principal"));
  }
  if (binding->state != store::kCertificateActive) {
    return Unauthenticated(
        absl::StrCat("client certificate ", info->fingerprint_sha256, " has been revoked"));
  }
  absl::StatusOr<store::PrincipalRecord> principal = store_.GetPrincipal(binding->principal);
  if (!principal.ok()) {
    return UnlessNotFound(principal.status(), "the certificate's principal does not exist");
  }
  return Entry{.caller = {.principal = ToPolicyPrincipal(*principal),
                          .certificate_fingerprint = info->fingerprint_sha256},
               .not_after = info->not_after,
               .loaded = absl::Now()};
}

absl::StatusOr<Caller> Authenticator::FromEntry(const Entry& entry, absl::Time now) const {
  if (now >= entry.not_after) return Unauthenticated("the client certificate has expired");
  if (!entry.caller.principal.enabled) {
    return Unauthenticated(absl::StrCat("principal ", entry.caller.principal.name, " is disabled"));
  }
  return entry.caller;
}

absl::StatusOr<Caller> Authenticator::IdentifyCertificate(absl::string_view certificate_pem) {
  if (certificate_pem.empty()) return Unauthenticated("no client certificate");
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(certificate_pem);
    if (it != cache_.end() && now - it->second.loaded < options_.cache_ttl) {
      return FromEntry(it->second, now);
    }
  }
  ASSIGN_OR_RETURN(Entry entry, Load(certificate_pem));
  absl::StatusOr<Caller> caller = FromEntry(entry, now);
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= options_.cache_capacity) cache_.clear();  // cheap to reload
  cache_.insert_or_assign(std::string(certificate_pem), std::move(entry));
  return caller;
}

absl::StatusOr<Caller> Authenticator::IdentifyByName(absl::string_view principal) {
  if (principal.empty()) {
    return Unauthenticated("plaintext mode: name the principal in the yinjian-principal header");
  }
  absl::StatusOr<store::PrincipalRecord> record = store_.GetPrincipal(principal);
  if (!record.ok()) return UnlessNotFound(record.status(), "unknown principal");
  Caller caller{.principal = ToPolicyPrincipal(*record)};
  if (!caller.principal.enabled) {
    return Unauthenticated(absl::StrCat("principal ", caller.principal.name, " is disabled"));
  }
  return caller;
}

void Authenticator::Invalidate() {
  absl::MutexLock lock(&mu_);
  cache_.clear();
}

}  // namespace yinjian::access
