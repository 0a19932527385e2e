// Argument errors: each is exit code 2 with a message naming the argument,
// reported before any node is contacted (nothing listens on the URL used).
#include <gtest/gtest.h>

#include "ampd/cli/errors.hpp"
#include "cli_harness.hpp"

namespace ampd::cli::test {
namespace {

const std::string kBob = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
// Port 9 (discard): nothing answers JSON-RPC there.
const std::string kNowhere = "http://127.0.0.1:9";

RunResult run(std::vector<std::string> args) {
    Cli cli;
    cli.env["HOME"] = "/nonexistent";
    args.insert(args.begin(), {"--rpc", kNowhere});
    return cli.run(args);
}

void expect_usage(const std::vector<std::string>& args, const std::string& message) {
    const RunResult r = run(args);
    EXPECT_EQ(r.code, exit_code::kUsage) << r.out << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr: " << r.err;
}

TEST(Arguments, AmountsAreCheckedFirst) {
    expect_usage({"transfer", kBob, "12.5.1", "--dev-account", "1"}, "AMOUNT \"12.5.1\"");
    expect_usage({"transfer", kBob, "-3", "--dev-account", "1"}, "negative");
    expect_usage({"transfer", kBob, "1.0000000000000000001", "--dev-account", "1"},
                 "19 fractional digits");
    expect_usage({"approve", kBob, "1.5", "--raw", "--dev-account", "1"}, "base units");
    expect_usage({"supply", "ten", "--dev-account", "1"}, "AMOUNT \"ten\"");
}

TEST(Arguments, AddressesAndPartitions) {
    expect_usage({"transfer", "0x1234", "1", "--dev-account", "1"}, "TO \"0x1234\"");
    // The valid checksum ends in "BC".
    expect_usage(
        {"transfer", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293Bc", "1", "--dev-account", "1"},
        "EIP-55");
    expect_usage({"transfer-by-partition", "0xabc", kBob, "1", "--dev-account", "1"},
                 "PARTITION \"0xabc\"");
    expect_usage({"--amp", "nope", "balance", kBob}, "--amp \"nope\"");
}

TEST(Arguments, SigningNeedsExactlyOneSigner) {
    expect_usage({"transfer", kBob, "1"}, "give --from NAME|ADDRESS or --dev-account N");
    expect_usage({"transfer", kBob, "1", "--from", "alice", "--dev-account", "1"},
                 "either --from or --dev-account");
    expect_usage({"transfer", kBob, "1", "--dev-account", "x"}, "--dev-account \"x\"");
    expect_usage({"transfer", kBob, "1", "--dev-account", "2147483648"}, "below 2^31");
}

TEST(Arguments, ParseErrorsAreUsageErrors) {
    EXPECT_EQ(run({"transfer", kBob}).code, exit_code::kUsage);
    EXPECT_EQ(run({"keys"}).code, exit_code::kUsage);
    EXPECT_EQ(run({"transfer", kBob, "1", "--bogus"}).code, exit_code::kUsage);
    EXPECT_EQ(run({"withdraw", "collateral", "1", "--proof", "f", "--proof-hex", "x"}).code,
              exit_code::kUsage);
    EXPECT_EQ(run({"--help"}).code, exit_code::kOk);
}

TEST(Arguments, BadUrlIsAUsageErrorAndAnAbsentNodeAFailure) {
    Cli cli;
    const RunResult bad = cli.run({"--rpc", "localhost:8545", "balance", kBob});
    EXPECT_EQ(bad.code, exit_code::kUsage);
    EXPECT_NE(bad.err.find("--rpc"), std::string::npos) << bad.err;

    const RunResult absent = run({"--json", "balance", kBob});
    EXPECT_EQ(absent.code, exit_code::kFailed);
    EXPECT_NE(absent.err.find("cannot reach JSON-RPC server at " + kNowhere), std::string::npos)
        << absent.err;
    EXPECT_EQ(absent.json().at("error").at("kind"), "failed");
}

TEST(Arguments, GlobalOptionsMayComeAfterTheCommand) {
    // --json after the command and its arguments still applies.
    const RunResult r = run({"balance", kBob, "--json"});
    EXPECT_EQ(r.code, exit_code::kFailed);
    EXPECT_TRUE(r.json().contains("error")) << r.out;
}

}  // namespace
}  // namespace ampd::cli::test
