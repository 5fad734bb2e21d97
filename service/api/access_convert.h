// yinjian.v1 access messages from the access layer's records.
#ifndef YINJIAN_SERVICE_API_ACCESS_CONVERT_H_
#define YINJIAN_SERVICE_API_ACCESS_CONVERT_H_

#include "absl/time/time.h"
#include "service/access/principal_manager.h"
#include "service/store/records.h"
#include "yinjian/v1/access.pb.h"

namespace yinjian::api {

void ToProto(const store::CertificateRecord& certificate, v1::Certificate* out);
void ToProto(const access::PrincipalView& principal, v1::Principal* out);
void ToProto(const store::PrincipalRecord& principal, v1::Principal* out);
// effective_state is computed at `now`.
void ToProto(const store::GrantRecord& grant, absl::Time now, v1::Grant* out);
void ToProto(const access::OffboardReport& report, v1::OffboardReport* out);

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_ACCESS_CONVERT_H_
