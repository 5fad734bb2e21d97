#include "cli/utility_commands.h"

#include <memory>
#include <string>

#include "cli/key_kind_names.h"
#include "cli/result_writer.h"
#include "common/status_macros.h"
#include "yinjian/v1/crypto.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct DigestArgs {
  std::string algorithm;
  std::string in;
  std::string purpose;
  ReceiptOptions receipt;
};

struct RandomArgs {
  int length = 0;
  std::string out;
  std::string purpose;
  ReceiptOptions receipt;
};

// Sends `first` (already read) and then the rest of `reader` as DigestStream chunks; the first
// chunk carries the algorithm and the purpose.
absl::Status StreamDigest(const CommandEnv& env, v1::DigestAlgorithm algorithm,
                          const std::string& purpose, std::string first, InputReader& reader,
                          v1::DigestResponse* response) {
  auto stub = v1::CryptoService::NewStub(env.channel());
  grpc::ClientContext context;
  env.PrepareContext(&context);
  auto writer = stub->DigestStream(&context, response);
  v1::DigestChunk chunk;
  chunk.set_algorithm(algorithm);
  chunk.set_purpose(purpose);
  std::string data = std::move(first);
  while (!data.empty()) {
    for (size_t at = 0; at < data.size(); at += kDigestChunkBytes) {
      chunk.set_data(data.substr(at, kDigestChunkBytes));
      // A failed write means the stream is broken; Finish() reports why.
      if (!writer->Write(chunk)) return env.FinishCall(context, writer->Finish());
      chunk.clear_algorithm();
      chunk.clear_purpose();
    }
    ASSIGN_OR_RETURN(data, reader.Read(4 * kDigestChunkBytes));
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  return env.FinishCall(context, status);
}

absl::Status RunDigest(const GlobalOptions& globals, const DigestArgs& args) {
  ASSIGN_OR_RETURN(const v1::DigestAlgorithm algorithm, DigestAlgorithmFromName(args.algorithm));
  ASSIGN_OR_RETURN(InputReader reader, InputReader::Open(args.in));
  // One byte past the limit tells a small input from a large one without reading it all.
  ASSIGN_OR_RETURN(std::string head, reader.Read(kDigestUnaryLimitBytes + 1));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  v1::DigestResponse response;
  if (head.size() > kDigestUnaryLimitBytes) {
    RETURN_IF_ERROR(StreamDigest(env, algorithm, args.purpose, std::move(head), reader, &response));
  } else {
    auto stub = v1::CryptoService::NewStub(env.channel());
    v1::DigestRequest request;
    request.set_algorithm(algorithm);
    request.set_data(std::move(head));
    request.set_purpose(args.purpose);
    RETURN_IF_ERROR(env.Call(
        [&](grpc::ClientContext* context) { return stub->Digest(context, request, &response); }));
  }
  return Print(env.output(), response, Table{.rows = {{ToHex(response.digest())}}});
}

absl::Status RunRandom(const GlobalOptions& globals, const RandomArgs& args) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::GenerateRandomRequest request;
  request.set_length_bytes(args.length);
  request.set_purpose(args.purpose);
  v1::GenerateRandomResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->GenerateRandom(context, request, &response);
  }));
  absl::Status done;
  if (args.out.empty()) {
    done = Print(env.output(), response, Table{.rows = {{ToHex(response.data())}}});
  } else {
    // Random bytes are usually destined to be keys or nonces: treat them as secrets.
    done = WriteFile(args.out, response.data(), OutputSecrecy::kSecret);
  }
  Wipe(response.mutable_data());
  return done;
}

}  // namespace

void AddUtilityCommands(CLI::App& app, const CommandRegistry& registry) {
  auto digest_args = std::make_shared<DigestArgs>();
  CLI::App* digest = app.add_subcommand("digest", "hash a file on the server (printed in hex)");
  digest->add_option("--alg", digest_args->algorithm, "sha256, sha384, sha512 or sm3")->required();
  digest->add_option("--in", digest_args->in, "input file, - for stdin")->required();
  AddPurposeOption(digest, &digest_args->purpose);
  AddReceiptOptions(digest, &digest_args->receipt);
  OnSelected(digest, registry, [globals = registry.globals, digest_args] {
    return RunDigest(*globals, *digest_args);
  });

  auto random_args = std::make_shared<RandomArgs>();
  CLI::App* random = app.add_subcommand("random", "random bytes from the HSM (hex without --out)");
  random->add_option("N", random_args->length, "how many bytes")
      ->required()
      ->check(CLI::Range(1, 1024 * 1024));
  random->add_option("--out", random_args->out, "write the raw bytes here (mode 0600)");
  AddPurposeOption(random, &random_args->purpose);
  AddReceiptOptions(random, &random_args->receipt);
  OnSelected(random, registry, [globals = registry.globals, random_args] {
    return RunRandom(*globals, *random_args);
  });
}

}  // namespace yinjian::cli
