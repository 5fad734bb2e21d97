#include "hsm/module.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <pthread.h>

#include <atomic>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

// Incremented in every child process created by fork(), so CheckNotForked costs one atomic
// load instead of a getpid() system call per operation.
std::atomic<uint64_t> g_fork_generation{0};
void OnForkInChild() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }
uint64_t ForkGeneration() {
  static const bool registered = [] { return pthread_atfork(nullptr, nullptr, OnForkInChild) == 0; }();
  (void)registered;
  return g_fork_generation.load(std::memory_order_relaxed);
}

// Loaded modules by canonical path, so two tokens on one module share one initialisation.
struct Registry {
  absl::Mutex mu;
  std::map<std::string, std::weak_ptr<Pkcs11Module>> modules ABSL_GUARDED_BY(mu);
};
Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

std::string CanonicalPath(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return path;
  std::string result(resolved);
  free(resolved);
  return result;
}

template <size_t N>
std::string PaddedField(const unsigned char (&field)[N]) {
  absl::string_view view(reinterpret_cast<const char*>(field), N);
  return std::string(absl::StripTrailingAsciiWhitespace(view.substr(0, view.find('\0'))));
}

absl::StatusOr<std::shared_ptr<Pkcs11Module>> LoadUncached(const ModuleOptions& options,
                                                           Pkcs11Module* (*make)(
                                                               ModuleOptions, void*,
                                                               CK_FUNCTION_LIST*, bool)) {
  void* library = dlopen(options.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* err = dlerror();
    return absl::FailedPreconditionError(absl::StrCat("cannot load PKCS#11 module ",
                                                      options.path, ": ", err ? err : "?"));
  }
  auto get_function_list =
      reinterpret_cast<CK_C_GetFunctionList>(dlsym(library, "C_GetFunctionList"));
  CK_FUNCTION_LIST* functions = nullptr;
  if (get_function_list == nullptr || get_function_list(&functions) != CKR_OK ||
      functions == nullptr) {
    dlclose(library);
    return absl::FailedPreconditionError(
        absl::StrCat(options.path, " is not a PKCS#11 module (no usable C_GetFunctionList)"));
  }
  // Without CKF_OS_LOCKING_OK and no mutex callbacks, SoftHSM assumes a single thread.
  CK_C_INITIALIZE_ARGS init_args = {};
  init_args.flags = CKF_OS_LOCKING_OK;
  absl::Status init = P11_CALL(functions, C_Initialize, &init_args);
  bool owns = true;
  if (!init.ok()) {
    if (CkRvFromStatus(init) != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      dlclose(library);
      return init;
    }
    owns = false;  // someone else in this process initialised it; leave finalisation to them
  }
  return std::shared_ptr<Pkcs11Module>(make(options, library, functions, owns));
}

}  // namespace

absl::StatusOr<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Load(const ModuleOptions& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("PKCS#11 module path is empty");
  }
  Registry& registry = GetRegistry();
  const std::string key = CanonicalPath(options.path);
  absl::MutexLock lock(&registry.mu);
  if (std::shared_ptr<Pkcs11Module> existing = registry.modules[key].lock()) {
    return existing;
  }
  auto make = [](ModuleOptions o, void* lib, CK_FUNCTION_LIST* fl, bool owns) {
    return new Pkcs11Module(std::move(o), lib, fl, owns);
  };
  ASSIGN_OR_RETURN(std::shared_ptr<Pkcs11Module> module, LoadUncached(options, make));
  registry.modules[key] = module;
  return module;
}

Pkcs11Module::Pkcs11Module(ModuleOptions options, void* library, CK_FUNCTION_LIST* functions,
                           bool owns_initialization)
    : options_(std::move(options)),
      library_(library),
      functions_(functions),
      owns_initialization_(owns_initialization),
      pid_(getpid()),
      fork_generation_(ForkGeneration()) {}

Pkcs11Module::~Pkcs11Module() {
  // Without finalisation the library stays mapped: unmapping code that may still own threads or
  // atexit handlers is how modules crash at exit.
  if (!options_.finalize_on_close || getpid() != pid_) return;
  if (owns_initialization_) {
    (void)P11_CALL(functions_, C_Finalize, nullptr);
  }
  dlclose(library_);
}

absl::Status Pkcs11Module::CheckNotForked() const {
  if (g_fork_generation.load(std::memory_order_relaxed) != fork_generation_) {
    return absl::FailedPreconditionError(
        "PKCS#11 module was initialised in another process (used after fork); load it again");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TokenDescription>> Pkcs11Module::ListTokens() const {
  RETURN_IF_ERROR(CheckNotForked());
  CK_ULONG count = 0;
  RETURN_IF_ERROR(P11_CALL(functions_, C_GetSlotList, CK_TRUE, nullptr, &count));
  std::vector<CK_SLOT_ID> slots(count);
  if (count > 0) {
    RETURN_IF_ERROR(P11_CALL(functions_, C_GetSlotList, CK_TRUE, slots.data(), &count));
    slots.resize(count);
  }
  std::vector<TokenDescription> tokens;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info = {};
    absl::Status status = P11_CALL(functions_, C_GetTokenInfo, slot, &info);
    if (CkRvFromStatus(status) == CKR_TOKEN_NOT_PRESENT) continue;  // removed meanwhile
    RETURN_IF_ERROR(status);
    tokens.push_back(TokenDescription{
        .slot_id = slot,
        .label = PaddedField(info.label),
        .manufacturer = PaddedField(info.manufacturerID),
        .model = PaddedField(info.model),
        .serial_number = PaddedField(info.serialNumber),
        .flags = info.flags,
    });
  }
  return tokens;
}

absl::StatusOr<TokenDescription> Pkcs11Module::FindTokenByLabel(absl::string_view label) const {
  ASSIGN_OR_RETURN(std::vector<TokenDescription> tokens, ListTokens());
  const TokenDescription* found = nullptr;
  for (const TokenDescription& token : tokens) {
    if (token.label != label) continue;
    if (found != nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("more than one token is labelled '", label, "' in ", options_.path));
    }
    found = &token;
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no token labelled '", label, "' in ", options_.path));
  }
  return *found;
}

}  // namespace yinjian::hsm
