#include "bench/bench_tls.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/pki/dev_pki.h"

namespace yinjian::bench {
namespace {

absl::StatusOr<std::string> ReadPemFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

absl::StatusOr<BenchTls> LoadBenchTls(const std::string& pki_dir) {
  const std::filesystem::path dir(pki_dir);
  BenchTls tls;
  ASSIGN_OR_RETURN(tls.ca_pem, ReadPemFile(dir / pki::kCaCertificateFile));
  ASSIGN_OR_RETURN(tls.server_cert_pem, ReadPemFile(dir / pki::kServerCertificateFile));
  ASSIGN_OR_RETURN(tls.server_key_pem, ReadPemFile(dir / pki::kServerKeyFile));
  ASSIGN_OR_RETURN(tls.client_cert_pem, ReadPemFile(dir / pki::kAdminCertificateFile));
  ASSIGN_OR_RETURN(tls.client_key_pem, ReadPemFile(dir / pki::kAdminKeyFile));
  return tls;
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const BenchTls& tls) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls.ca_pem;
  options.pem_key_cert_pairs.push_back({tls.server_key_pem, tls.server_cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::Channel> MakeBenchChannel(const BenchTls& tls, int port) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.ca_pem;
  options.pem_cert_chain = tls.client_cert_pem;
  options.pem_private_key = tls.client_key_pem;
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::SslCredentials(options));
}

}  // namespace yinjian::bench
