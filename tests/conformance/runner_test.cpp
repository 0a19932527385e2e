// Tests of the conformance runner: typed values, the vector reader, and that
// the runner reports every kind of deviation from a recording.
#include "ampd/conformance/runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ampd/conformance/events.hpp"
#include "ampd/conformance/report.hpp"
#include "ampd/conformance/typed_value.hpp"
#include "ampd/conformance/vector_reader.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::conformance {
namespace {

using json = nlohmann::json;

TypedValue tv(const char* type, json value) {
    return parse_typed(json{{"type", type}, {"value", std::move(value)}});
}

// ---------------------------------------------------------------------------
// Typed values

TEST(TypeSpec, ParsesSupportedNamesAndRoundTrips) {
    for (const char* name :
         {"uint8", "uint64", "uint256", "int256", "int8", "address", "bool", "bytes1", "bytes4",
          "bytes32", "bytes", "string", "bytes32[]", "address[]"}) {
        auto t = TypeSpec::parse(name);
        ASSERT_TRUE(t.has_value()) << name;
        EXPECT_EQ(t->name(), name);
    }
    for (const char* name : {"uint", "uint7", "uint264", "uint0", "uint08", "int", "bytes0",
                             "bytes33", "uint256[]", "string[]", "tuple", "", "[]", "address[2]"}) {
        EXPECT_FALSE(TypeSpec::parse(name).has_value()) << name;
    }
    EXPECT_TRUE(TypeSpec::parse("bytes")->is_dynamic());
    EXPECT_TRUE(TypeSpec::parse("address[]")->is_dynamic());
    EXPECT_FALSE(TypeSpec::parse("bytes32")->is_dynamic());
}

TEST(TypedValue, IntegersAreStrictDecimalStrings) {
    EXPECT_EQ(to_json(tv("uint256", "4000000000000000000000000")),
              (json{{"type", "uint256"}, {"value", "4000000000000000000000000"}}));
    EXPECT_EQ(std::get<u256>(tv("uint8", "255").value), u256(255));
    EXPECT_THROW((void)tv("uint8", "256"), VectorError);
    EXPECT_THROW((void)tv("uint256", "-1"), VectorError);
    EXPECT_THROW((void)tv("uint256", "0x10"), VectorError);
    EXPECT_THROW((void)tv("uint256", " 1"), VectorError);
    EXPECT_THROW((void)tv("uint256", ""), VectorError);
    EXPECT_THROW((void)tv("uint256", 5), VectorError);  // numbers must be strings
    EXPECT_THROW(
        (void)tv("uint256",
                 "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
        VectorError);  // 2^256

    const TypedValue minus_one = tv("int256", "-1");
    EXPECT_EQ(std::get<u256>(minus_one.value), u256::max());
    EXPECT_EQ(value_to_json(minus_one), "-1");
    const char* min =
        "-57896044618658097711785492504343953926634992332820282019728792003956564819968";
    EXPECT_EQ(value_to_json(tv("int256", min)), min);
    EXPECT_EQ(value_to_json(tv("int256", "42")), "42");
    EXPECT_EQ(value_to_json(tv("int8", "-128")), "-128");
    EXPECT_THROW((void)tv("int8", "128"), VectorError);
    EXPECT_THROW((void)tv("int8", "-129"), VectorError);
}

TEST(TypedValue, HexValuesAreNormalizedToLowercase) {
    const TypedValue a = tv("address", "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266");
    EXPECT_EQ(value_to_json(a), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    EXPECT_EQ(a, tv("address", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
    EXPECT_THROW((void)tv("address", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb922"), VectorError);
    EXPECT_THROW((void)tv("address", "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"), VectorError);

    EXPECT_EQ(value_to_json(tv("bytes4", "0xCCCCCCCC")), "0xcccccccc");
    EXPECT_THROW((void)tv("bytes4", "0xcccc"), VectorError);
    EXPECT_THROW((void)tv("bytes32", "0x00"), VectorError);
    EXPECT_EQ(std::get<Bytes>(tv("bytes", "0x").value).size(), 0u);
    EXPECT_EQ(value_to_json(tv("bytes", "0xABcd01")), "0xabcd01");
    EXPECT_THROW((void)tv("bytes", "0xabc"), VectorError);
    EXPECT_THROW((void)tv("bytes", "0xzz"), VectorError);
}

TEST(TypedValue, BoolStringAndArrays) {
    EXPECT_EQ(value_to_json(tv("bool", true)), true);
    EXPECT_THROW((void)tv("bool", "true"), VectorError);
    EXPECT_EQ(value_to_json(tv("string", "Transfer unauthorized")), "Transfer unauthorized");
    EXPECT_THROW((void)tv("string", 1), VectorError);

    const json parts =
        json::array({std::string(66, '0').replace(0, 2, "0x"),
                     "0xCCCCCCCC00000000000000018464135c8f25da09e49bc8782676a84730c318bc"});
    const TypedValue arr = tv("bytes32[]", parts);
    EXPECT_EQ(std::get<std::vector<Bytes32>>(arr.value).size(), 2u);
    EXPECT_EQ(value_to_json(arr)[1],
              "0xcccccccc00000000000000018464135c8f25da09e49bc8782676a84730c318bc");
    EXPECT_THROW((void)tv("bytes32[]", json::array({"0x01"})), VectorError);
    EXPECT_THROW((void)tv("bytes32[]", "0x"), VectorError);
    EXPECT_EQ(value_to_json(tv("address[]", json::array())), json::array());

    EXPECT_THROW((void)parse_typed(json{{"type", "uint256"}}), VectorError);
    EXPECT_THROW((void)parse_typed(json{{"type", "fixed128x18"}, {"value", "1"}}), VectorError);
    EXPECT_THROW((void)parse_typed(json("uint256")), VectorError);
}

TEST(TypedValue, DisplayForm) {
    EXPECT_EQ(to_display(tv("uint256", "7")), "uint256 \"7\"");
    EXPECT_EQ(to_display(tv("bool", false)), "bool false");
    // Invalid UTF-8 (possible in a decoded string) is printable.
    TypedValue s{*TypeSpec::parse("string"), std::string("\xff\xfe")};
    EXPECT_NO_THROW((void)to_display(s));
}

TEST(TypedValue, EncodesConstructorArgumentsLikeSolidity) {
    // Amp(address swapToken, string name, string symbol)
    const Bytes enc = encode_all({tv("address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"),
                                  tv("string", "Amp"), tv("string", "AMP")});
    const std::string expected =
        "0x"
        "0000000000000000000000005fbdb2315678afecb367f032d93f642f64180aa3"
        "0000000000000000000000000000000000000000000000000000000000000060"
        "00000000000000000000000000000000000000000000000000000000000000a0"
        "0000000000000000000000000000000000000000000000000000000000000003"
        "416d700000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000003"
        "414d500000000000000000000000000000000000000000000000000000000000";
    EXPECT_EQ(hex::encode(enc), expected);
}

TEST(TypedValue, EncodeDecodeRoundTrip) {
    const std::vector<TypedValue> values = {
        tv("uint256", "1000000000000000000000000"),
        tv("int256", "-5"),
        tv("uint8", "18"),
        tv("address", "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"),
        tv("bool", true),
        tv("bytes4", "0xaaaaaaaa"),
        tv("bytes32", "0xcccccccc00000000000000018464135c8f25da09e49bc8782676a84730c318bc"),
        tv("bytes", "0x0102030405"),
        tv("string", "Mock Flexacoin"),
        tv("bytes32[]", json::array({"0x" + std::string(64, '1'), "0x" + std::string(64, 'f')})),
        tv("address[]", json::array({"0x90f79bf6eb2c4f870365e785982e1f101e93b906"})),
    };
    const Bytes enc = encode_all(values);
    abi::Decoder dec(enc);
    for (size_t i = 0; i < values.size(); ++i) {
        auto got = decode(dec, i, values[i].type);
        ASSERT_TRUE(got.has_value()) << values[i].type.name();
        EXPECT_EQ(*got, values[i]) << to_display(values[i]) << " vs " << to_display(*got);
    }
    // Data too short for the requested types does not decode.
    abi::Decoder empty(ByteView{});
    EXPECT_FALSE(decode(empty, 0, *TypeSpec::parse("uint256")).has_value());
    EXPECT_FALSE(decode(empty, 0, *TypeSpec::parse("string")).has_value());
}

// ---------------------------------------------------------------------------
// Vector reader

class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("ampd_conformance_" + std::to_string(::getpid()) + "_" + info->name());
        std::filesystem::create_directories(dir_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }

private:
    std::filesystem::path dir_;
};

void write_plain(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

void write_gz(const std::string& path, const std::string& content) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())),
              static_cast<int>(content.size()));
    ASSERT_EQ(gzclose(f), Z_OK);
}

TEST(VectorReader, ReadsPlainAndGzipWithLongLines) {
    TempDir tmp;
    const std::string long_line(5u << 20, 'x');  // 5 MiB: larger than any read chunk
    const std::string content = "first\n" + long_line + "\nwindows\r\n\nlast-without-newline";
    const std::vector<std::string> expected = {"first", long_line, "windows", "",
                                               "last-without-newline"};
    write_plain(tmp.path("v.jsonl"), content);
    write_gz(tmp.path("v.jsonl.gz"), content);
    EXPECT_EQ(read_lines(tmp.path("v.jsonl")), expected);
    EXPECT_EQ(read_lines(tmp.path("v.jsonl.gz")), expected);

    LineReader r(tmp.path("v.jsonl.gz"));
    std::string line;
    ASSERT_TRUE(r.next(line));
    ASSERT_TRUE(r.next(line));
    EXPECT_EQ(r.line_number(), 2u);
    EXPECT_EQ(line.size(), long_line.size());

    write_plain(tmp.path("empty.jsonl"), "");
    EXPECT_TRUE(read_lines(tmp.path("empty.jsonl")).empty());
}

TEST(VectorReader, ReportsMissingAndTruncatedFiles) {
    TempDir tmp;
    EXPECT_THROW(LineReader(tmp.path("does-not-exist.jsonl.gz")), ReadError);

    std::string big;
    for (int i = 0; i < 20000; ++i) big += "{\"name\":\"line " + std::to_string(i) + "\"}\n";
    write_gz(tmp.path("full.jsonl.gz"), big);
    std::ifstream in(tmp.path("full.jsonl.gz"), std::ios::binary);
    std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write_plain(tmp.path("cut.jsonl.gz"), gz.substr(0, gz.size() / 2));
    EXPECT_THROW((void)read_lines(tmp.path("cut.jsonl.gz")), ReadError);

    const FileResult fr = run_file(tmp.path("cut.jsonl.gz"));
    EXPECT_FALSE(fr.ok());
    EXPECT_FALSE(fr.error.empty());
}

TEST(VectorReader, ReadsTheRecordedVectors) {
    const char* src = std::getenv("AMPD_SOURCE_DIR");
    if (src == nullptr) GTEST_SKIP() << "AMPD_SOURCE_DIR not set";
    const std::string path = std::string(src) + "/tests/conformance/vectors/erc20.jsonl.gz";
    LineReader r(path);
    std::string line;
    size_t scenarios = 0;
    size_t steps = 0;
    size_t checked_calldata = 0;
    while (r.next(line)) {
        const json s = json::parse(line);
        ++scenarios;
        for (const json& step : s.at("steps")) {
            ++steps;
            if (step.at("kind") == "deploy") continue;
            // The typed arguments encode to the recorded calldata.
            std::vector<TypedValue> args;
            for (const json& a : step.at("args")) args.push_back(parse_typed(a));
            Bytes call;
            const Bytes4 sel = selector_of(step.at("signature").get<std::string>());
            call.assign(sel.b.begin(), sel.b.end());
            const Bytes enc = encode_all(args);
            call.insert(call.end(), enc.begin(), enc.end());
            EXPECT_EQ(hex::encode(call), step.at("calldata").get<std::string>())
                << step.at("signature");
            ++checked_calldata;
        }
    }
    EXPECT_GT(scenarios, 0u);
    EXPECT_GT(steps, 50u);
    EXPECT_GT(checked_calldata, 20u);
}

// ---------------------------------------------------------------------------
// Runner: a small recorded scenario on the swap token, then deliberate
// alterations of its expectations, each of which must be reported.

constexpr const char* kOwner = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
constexpr const char* kUser0 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
constexpr const char* kSwap = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

json swap_scenario() {
    const std::string pad_user0 =
        "0000000000000000000000003c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    const std::string million = "00000000000000000000000000000000000000000000d3c21bcecceda1000000";
    json deploy = {
        {"kind", "deploy"},
        {"label", "swapToken"},
        {"type", "SwapToken"},
        {"from", kOwner},
        {"args", json::array()},
        {"timestamp", 1600000013},
        {"expect",
         {{"status", "success"},
          {"address", kSwap},
          {"events",
           {{{"address", kSwap},
             {"name", "OwnershipTransferred"},
             {"args",
              {{"previousOwner",
                {{"type", "address"}, {"value", "0x0000000000000000000000000000000000000000"}}},
               {"newOwner", {{"type", "address"}, {"value", kOwner}}}}}}}},
          {"logs",
           {{{"address", kSwap},
             {"topics",
              {"0x8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0",
               "0x0000000000000000000000000000000000000000000000000000000000000000",
               "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"}},
             {"data", "0x"}}}}}}};
    json mint = {
        {"kind", "tx"},
        {"from", kOwner},
        {"to", kSwap},
        {"contract", "SwapToken"},
        {"method", "mint"},
        {"signature", "mint(address,uint256)"},
        {"args",
         {{{"type", "address"}, {"value", kUser0}},
          {{"type", "uint256"}, {"value", "1000000000000000000000000"}}}},
        {"calldata", "0x40c10f19" + pad_user0 + million},
        {"timestamp", 1600000130},
        {"expect",
         {{"status", "success"},
          {"returndata", "0x"},
          {"return", json::array()},
          {"events",
           {{{"address", kSwap},
             {"name", "Transfer"},
             {"args",
              {{"from",
                {{"type", "address"}, {"value", "0x0000000000000000000000000000000000000000"}}},
               {"to", {{"type", "address"}, {"value", kUser0}}},
               {"value", {{"type", "uint256"}, {"value", "1000000000000000000000000"}}}}}}}},
          {"logs",
           {{{"address", kSwap},
             {"topics",
              {"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
               "0x0000000000000000000000000000000000000000000000000000000000000000",
               "0x" + pad_user0}},
             {"data", "0x" + million}}}}}}};
    json bad_mint = {
        {"kind", "tx"},
        {"from", kUser0},
        {"to", kSwap},
        {"contract", "SwapToken"},
        {"method", "mint"},
        {"signature", "mint(address,uint256)"},
        {"args", {{{"type", "address"}, {"value", kUser0}}, {{"type", "uint256"}, {"value", "1"}}}},
        {"calldata", "0x40c10f19" + pad_user0 +
                         "0000000000000000000000000000000000000000000000000000000000000001"},
        {"timestamp", 1600000338},
        {"expect",
         {{"status", "revert"},
          {"reason", "Ownable: caller is not the owner"},
          {"error", "revert"},
          {"returndata",
           "0x08c379a0"
           "0000000000000000000000000000000000000000000000000000000000000020"
           "0000000000000000000000000000000000000000000000000000000000000020"
           "4f776e61626c653a2063616c6c6572206973206e6f7420746865206f776e6572"},
          {"events", json::array()},
          {"logs", json::array()}}}};
    json balance = {
        {"kind", "call"},
        {"from", kUser0},
        {"to", kSwap},
        {"contract", "SwapToken"},
        {"method", "balanceOf"},
        {"signature", "balanceOf(address)"},
        {"args", {{{"type", "address"}, {"value", kUser0}}}},
        {"calldata", "0x70a08231" + pad_user0},
        {"timestamp", 1600000400},
        {"expect",
         {{"status", "success"},
          {"returndata", "0x" + million},
          {"return", {{{"type", "uint256"}, {"value", "1000000000000000000000000"}}}}}}};
    json missing_fn = {
        {"kind", "call"},
        {"from", kUser0},
        {"to", kSwap},
        {"contract", "SwapToken"},
        {"method", "nope"},
        {"signature", "nope()"},
        {"args", json::array()},
        {"calldata", "0x12345678"},
        {"timestamp", 1600000400},
        {"expect",
         {{"status", "revert"}, {"reason", nullptr}, {"error", "revert"}, {"returndata", "0x"}}}};
    return json{{"name", "swap-token"},
                {"accounts", {{"owner", kOwner}, {"user0", kUser0}}},
                {"contracts", {{"swapToken", {{"type", "SwapToken"}, {"address", kSwap}}}}},
                {"steps", {deploy, mint, bad_mint, balance, missing_fn}}};
}

// Runs the scenario with `alter` applied and returns the result.
template <class Alter>
ScenarioResult run_altered(Alter&& alter) {
    json s = swap_scenario();
    alter(s);
    return run_scenario(s);
}

void expect_single_failure(const ScenarioResult& r, size_t step, const std::string& field) {
    EXPECT_EQ(r.failed, 1u) << describe_failure("test", r);
    EXPECT_EQ(r.passed, r.steps - 1);
    ASSERT_EQ(r.mismatches.size(), 1u);
    EXPECT_EQ(r.mismatches[0].step, step);
    EXPECT_EQ(r.mismatches[0].field, field) << describe_failure("test", r);
}

TEST(Runner, RecordedScenarioPasses) {
    const ScenarioResult r = run_scenario(swap_scenario());
    EXPECT_TRUE(r.ok()) << describe_failure("test", r);
    EXPECT_EQ(r.steps, 5u);
    EXPECT_EQ(r.passed, 5u);
    EXPECT_EQ(r.name, "swap-token");
}

TEST(Runner, ReportsAFlippedStatus) {
    auto r = run_altered([](json& s) {
        s["steps"][1]["expect"]["status"] = "revert";
        s["steps"][1]["expect"]["reason"] = "Ownable: caller is not the owner";
    });
    expect_single_failure(r, 1, "status");
    const Mismatch& m = r.mismatches[0];
    EXPECT_EQ(m.kind, "tx");
    EXPECT_EQ(m.contract, "SwapToken");
    EXPECT_EQ(m.signature, "mint(address,uint256)");
    EXPECT_NE(m.expected.find("Ownable"), std::string::npos);
    EXPECT_NE(m.actual.find("success"), std::string::npos);
    EXPECT_NE(m.from.find("owner"), std::string::npos);  // labelled address

    auto r2 = run_altered([](json& s) { s["steps"][2]["expect"]["status"] = "success"; });
    expect_single_failure(r2, 2, "status");
}

TEST(Runner, ReportsAChangedLogByte) {
    auto r = run_altered([](json& s) {
        std::string data = s["steps"][1]["expect"]["logs"][0]["data"];
        data.back() = data.back() == '0' ? '1' : '0';
        s["steps"][1]["expect"]["logs"][0]["data"] = data;
    });
    expect_single_failure(r, 1, "logs[0]");

    auto r2 = run_altered([](json& s) {
        s["steps"][0]["expect"]["logs"][0]["topics"][2] =
            "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92267";
    });
    expect_single_failure(r2, 0, "logs[0]");

    auto r3 = run_altered([](json& s) { s["steps"][1]["expect"]["logs"][0]["address"] = kUser0; });
    expect_single_failure(r3, 1, "logs[0]");

    auto r4 = run_altered([](json& s) { s["steps"][1]["expect"]["logs"] = json::array(); });
    expect_single_failure(r4, 1, "logs");
}

TEST(Runner, ReportsChangedEvents) {
    auto r = run_altered(
        [](json& s) { s["steps"][1]["expect"]["events"][0]["args"]["value"]["value"] = "999"; });
    expect_single_failure(r, 1, "events[0]");

    auto r2 = run_altered([](json& s) { s["steps"][1]["expect"]["events"][0]["name"] = "Mint"; });
    expect_single_failure(r2, 1, "events[0]");

    auto r3 = run_altered([](json& s) { s["steps"][1]["expect"]["events"] = json::array(); });
    expect_single_failure(r3, 1, "events");

    auto r4 =
        run_altered([](json& s) { s["steps"][1]["expect"]["events"][0]["args"].erase("value"); });
    expect_single_failure(r4, 1, "events[0]");

    // An event the recorder could not decode is compared only as a raw log.
    auto r5 = run_altered([](json& s) {
        s["steps"][1]["expect"]["events"][0]["name"] = nullptr;
        s["steps"][1]["expect"]["events"][0]["args"] = json::object();
    });
    EXPECT_TRUE(r5.ok()) << describe_failure("test", r5);
}

TEST(Runner, ReportsChangedReturnValuesAndRevertReasons) {
    auto r = run_altered([](json& s) {
        s["steps"][3]["expect"]["return"][0]["value"] = "1000000000000000000000001";
    });
    expect_single_failure(r, 3, "return[0]");
    EXPECT_NE(r.mismatches[0].expected.find("1000000000000000000000001"), std::string::npos);
    EXPECT_NE(r.mismatches[0].actual.find("1000000000000000000000000"), std::string::npos);

    auto r2 = run_altered([](json& s) {
        std::string rd = s["steps"][3]["expect"]["returndata"];
        rd[2] = '1';
        s["steps"][3]["expect"]["returndata"] = rd;
    });
    expect_single_failure(r2, 3, "returndata");

    auto r3 = run_altered([](json& s) { s["steps"][3]["expect"]["return"][0]["type"] = "string"; });
    expect_single_failure(r3, 3, "return[0]");

    auto r4 = run_altered([](json& s) { s["steps"][2]["expect"]["reason"] = "52"; });
    expect_single_failure(r4, 2, "reason");

    auto r5 = run_altered([](json& s) { s["steps"][2]["expect"]["reason"] = nullptr; });
    expect_single_failure(r5, 2, "reason");

    auto r6 = run_altered([](json& s) { s["steps"][4]["expect"]["reason"] = "x"; });
    expect_single_failure(r6, 4, "reason");

    auto r7 = run_altered([](json& s) { s["steps"][4]["expect"]["error"] = "invalid opcode"; });
    expect_single_failure(r7, 4, "error");
}

TEST(Runner, ReportsADeploymentAtAnotherAddress) {
    // Every later step targets the recorded address, where nothing was deployed.
    auto r = run_altered([](json& s) {
        s["steps"][0]["expect"]["address"] = "0x000000000000000000000000000000000000dead";
    });
    EXPECT_FALSE(r.ok());
    ASSERT_FALSE(r.mismatches.empty());
    EXPECT_EQ(r.mismatches[0].step, 0u);  // the deployment's own logs name the recorded address
}

TEST(Runner, MalformedStepsFailInsteadOfBeingSkipped) {
    auto r = run_altered([](json& s) { s["steps"][3]["expect"]["return"][0]["value"] = "abc"; });
    expect_single_failure(r, 3, "vector");

    auto r2 = run_altered([](json& s) { s["steps"][3]["kind"] = "send"; });
    expect_single_failure(r2, 3, "vector");

    auto r3 = run_altered([](json& s) { s["steps"][3].erase("calldata"); });
    expect_single_failure(r3, 3, "vector");

    const ScenarioResult r4 = run_scenario(json{{"name", "no steps"}});
    EXPECT_FALSE(r4.ok());
    EXPECT_EQ(r4.failed, 1u);
}

TEST(Runner, RunsFilesAndCountsSteps) {
    TempDir tmp;
    json altered = swap_scenario();
    altered["name"] = "altered";
    altered["steps"][3]["expect"]["return"][0]["value"] = "1";
    const std::string content =
        swap_scenario().dump() + "\n" + altered.dump() + "\n" + "{not json\n";
    write_gz(tmp.path("v.jsonl.gz"), content);

    size_t seen = 0;
    RunOptions opts;
    const FileResult fr =
        run_file(tmp.path("v.jsonl.gz"), opts, [&](const ScenarioResult&) { ++seen; });
    EXPECT_EQ(seen, 3u);
    EXPECT_EQ(fr.scenarios, 3u);
    EXPECT_EQ(fr.passed, 9u);
    EXPECT_EQ(fr.failed, 2u);  // one step, one unreadable line
    ASSERT_EQ(fr.failing.size(), 2u);
    EXPECT_EQ(fr.failing[0].name, "altered");
    EXPECT_EQ(fr.failing[0].line, 2u);
    EXPECT_EQ(fr.failing[1].line, 3u);
    EXPECT_FALSE(fr.ok());

    EXPECT_EQ(totals_line(fr.passed, fr.failed), "9 passed, 2 failed");
    const std::string report = describe_failure(fr.path, fr.failing[0]);
    EXPECT_NE(report.find("step 3"), std::string::npos) << report;
    EXPECT_NE(report.find("altered"), std::string::npos) << report;
    EXPECT_NE(report.find("balanceOf(address)"), std::string::npos) << report;
    EXPECT_NE(report.find("return[0]"), std::string::npos) << report;
    EXPECT_NE(file_line(fr).find("9 passed, 2 failed"), std::string::npos);

    write_plain(tmp.path("v.jsonl"), swap_scenario().dump() + "\n");
    const FileResult plain = run_file(tmp.path("v.jsonl"));
    EXPECT_TRUE(plain.ok()) << file_line(plain);
    EXPECT_EQ(plain.passed, 5u);
}

}  // namespace
}  // namespace ampd::conformance
