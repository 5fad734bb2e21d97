#include "service/api/call_audit.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/api/status_convert.h"

namespace yinjian::api {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kSaltBytes = 32;

// The first non-empty string field `name` of `message`, or of the first element of its repeated
// message field `items` (batches).
std::string StringField(const Message& message, const char* name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field != nullptr && field->type() == FieldDescriptor::TYPE_STRING && !field->is_repeated()) {
    return message.GetReflection()->GetString(message, field);
  }
  const FieldDescriptor* items = message.GetDescriptor()->FindFieldByName("items");
  if (items != nullptr && items->is_repeated() && items->type() == FieldDescriptor::TYPE_MESSAGE &&
      message.GetReflection()->FieldSize(message, items) > 0) {
    return StringField(message.GetReflection()->GetRepeatedMessage(message, items, 0), name);
  }
  return "";
}

// The key and version a response reports in its key_version field, if it has one.
void KeyVersionOf(const Message& response, std::string* key, int32_t* version) {
  const FieldDescriptor* field = response.GetDescriptor()->FindFieldByName("key_version");
  if (field == nullptr || field->type() != FieldDescriptor::TYPE_MESSAGE || field->is_repeated() ||
      !response.GetReflection()->HasField(response, field)) {
    return;
  }
  const Message& info = response.GetReflection()->GetMessage(response, field);
  const FieldDescriptor* key_field = info.GetDescriptor()->FindFieldByName("key");
  const FieldDescriptor* version_field = info.GetDescriptor()->FindFieldByName("version");
  if (key_field != nullptr && key_field->type() == FieldDescriptor::TYPE_STRING) {
    *key = info.GetReflection()->GetString(info, key_field);
  }
  if (version_field != nullptr && version_field->type() == FieldDescriptor::TYPE_INT32) {
    *version = info.GetReflection()->GetInt32(info, version_field);
  }
}

std::string CodeName(absl::StatusCode code) { return absl::StatusCodeToString(code); }

bool Deferred(const grpc::ServerContextBase& context) {
  auto it = context.client_metadata().find(kReceiptModeHeader);
  return it != context.client_metadata().end() &&
         absl::string_view(it->second.data(), it->second.size()) == "deferred";
}

}  // namespace

std::string DeterministicBytes(const Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return bytes;
}

void CallAuditor::Record(grpc::ServerContextBase& context, const CallOutcome& outcome,
                         Finish finish) const {
  if (log_ == nullptr) return finish(outcome.status);
  google::protobuf::Message* response = outcome.response;
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), int(salt.size())) != 1) {
    if (response != nullptr) response->Clear();
    return finish(absl::UnavailableError("the audit log cannot record this call: no randomness"));
  }
  audit::AuditEvent event{.time = absl::Now(), .operation = std::string(outcome.method)};
  if (outcome.caller != nullptr && outcome.caller->ok()) {
    const access::Caller& caller = **outcome.caller;
    event.principal = caller.principal.name;
    event.certificate = caller.certificate_fingerprint;
    event.department = caller.principal.department;
  }
  if (outcome.trace != nullptr) {
    event.key = outcome.trace->several_keys ? "" : outcome.trace->key;
    event.decision = outcome.trace->decision;
    event.reason = outcome.trace->reason;
  }
  if (outcome.request != nullptr) {
    event.purpose = StringField(*outcome.request, "purpose");
    outcome.request->ByteSizeLong();  // caches sizes for SerializeWithCachedSizes
    event.request_digest = audit::SaltedDigestHex(salt, DeterministicBytes(*outcome.request));
  } else {
    event.request_digest = audit::SaltedDigestHex(salt, "");
  }
  if (outcome.status.ok() && response != nullptr) {
    KeyVersionOf(*response, &event.key, &event.key_version);
    response->ByteSizeLong();
    event.response_digest = audit::SaltedDigestHex(salt, DeterministicBytes(*response));
  } else {
    event.response_digest = audit::SaltedDigestHex(salt, "");
  }
  if (event.decision.empty()) {
    // Nothing reached the policy engine: refused before (unidentified, malformed) or no key.
    event.decision = outcome.status.ok() ? "allow" : "deny";
  }
  event.result = CodeName(outcome.status.code());

  audit::AuditLog* log = log_;
  grpc::ServerContextBase* call = &context;
  log_->AppendAsync(
      std::move(event), [log, call, response, salt = std::move(salt), deferred = Deferred(context),
                         status = outcome.status, finish = std::move(finish)](
                            absl::StatusOr<audit::AppendedEntry> appended) mutable {
        if (!appended.ok()) {
          if (response != nullptr) response->Clear();
          return finish(appended.status());
        }
        call->AddTrailingMetadata(kReceiptIndexHeader, absl::StrCat(appended->index));
        call->AddTrailingMetadata(kReceiptSaltHeader, salt);
        if (!deferred) {
          absl::StatusOr<std::string> receipt = log->ReceiptFor(*appended);
          if (!receipt.ok()) {
            if (response != nullptr) response->Clear();
            return finish(absl::UnavailableError(
                absl::StrCat("the receipt cannot be produced: ", receipt.status().message())));
          }
          call->AddTrailingMetadata(kReceiptHeader, *receipt);
        }
        finish(std::move(status));
      });
}

}  // namespace yinjian::api
