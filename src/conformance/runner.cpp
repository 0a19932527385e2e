#include "ampd/conformance/runner.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <utility>

#include "ampd/conformance/events.hpp"
#include "ampd/conformance/typed_value.hpp"
#include "ampd/conformance/vector_reader.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/state/world.hpp"

namespace ampd::conformance {

namespace {

using json = nlohmann::json;
using state::ExecResult;
using state::Revert;

// ---------------------------------------------------------------------------
// Reading step fields (a missing or malformed field is a VectorError)

const json& need(const json& j, const char* key) {
    if (!j.is_object())
        throw VectorError(std::string("expected an object holding \"") + key + "\"");
    auto it = j.find(key);
    if (it == j.end()) throw VectorError(std::string("missing \"") + key + "\"");
    return *it;
}

const std::string& need_string(const json& j, const char* key) {
    const json& v = need(j, key);
    if (!v.is_string()) throw VectorError(std::string("\"") + key + "\" is not a string");
    return v.get_ref<const std::string&>();
}

Address need_address(const json& j, const char* key) {
    auto a = Address::from_hex(need_string(j, key));
    if (!a) throw VectorError(std::string("\"") + key + "\" is not an address");
    return *a;
}

uint64_t need_u64(const json& j, const char* key) {
    const json& v = need(j, key);
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0)
        return static_cast<uint64_t>(v.get<int64_t>());
    if (v.is_string()) {
        auto n = u256::from_dec(v.get_ref<const std::string&>());
        if (n && n->fits_u64()) return n->w[0];
    }
    throw VectorError(std::string("\"") + key + "\" is not a 64-bit unsigned integer");
}

// The optional field `key` of `j`, or nullptr.
const json* find(const json& j, const char* key) {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

std::string json_quote(const std::string& s) {
    return dump_json(json(s));
}

// ---------------------------------------------------------------------------
// Names for addresses: "0x… (label)" where the scenario names the address.

class Labels {
public:
    explicit Labels(const json& scenario) {
        names_.emplace(*Address::from_hex("0x1820a4b7618bde71dce8cdc73aab6c95905fad24"),
                       "ERC1820Registry");
        if (const json* accounts = find(scenario, "accounts"); accounts && accounts->is_object()) {
            for (const auto& [label, addr] : accounts->items()) {
                if (!addr.is_string()) continue;
                if (auto a = Address::from_hex(addr.get_ref<const std::string&>())) {
                    names_.insert_or_assign(*a, label);
                }
            }
        }
        if (const json* cs = find(scenario, "contracts"); cs && cs->is_object()) {
            for (const auto& [label, c] : cs->items()) {
                if (!c.is_object()) continue;
                const json* addr = find(c, "address");
                if (addr == nullptr || !addr->is_string()) continue;
                if (auto a = Address::from_hex(addr->get_ref<const std::string&>())) {
                    const json* type = find(c, "type");
                    std::string name = label;
                    if (type != nullptr && type->is_string()) {
                        name += ": " + type->get<std::string>();
                    }
                    names_.insert_or_assign(*a, std::move(name));
                }
            }
        }
    }

    [[nodiscard]] std::string operator()(const Address& a) const {
        auto it = names_.find(a);
        return it == names_.end() ? a.hex() : a.hex() + " (" + it->second + ")";
    }
    [[nodiscard]] std::string short_name(const Address& a) const {
        auto it = names_.find(a);
        return it == names_.end() ? a.hex() : it->second;
    }

private:
    std::unordered_map<Address, std::string, AddressHash> names_;
};

// ---------------------------------------------------------------------------
// Describing outcomes

std::string describe_revert(Revert::Kind kind, const std::string& reason) {
    switch (kind) {
        case Revert::Kind::kReason:
            return "revert " + json_quote(reason);
        case Revert::Kind::kEmpty:
            return "revert without data";
        case Revert::Kind::kInvalidOpcode:
            return "invalid opcode";
    }
    return "revert";
}

std::string describe_actual(const ExecResult& r) {
    if (r.success) {
        return "success (" + std::to_string(r.logs.size()) + " logs, returndata " +
               hex::encode(r.output) + ")";
    }
    return describe_revert(r.revert_kind, r.revert_reason);
}

std::string describe_expected(const json& expect) {
    if (need_string(expect, "status") == "success") return "success";
    const json* reason = find(expect, "reason");
    if (reason != nullptr && reason->is_string())
        return "revert " + json_quote(reason->get<std::string>());
    const json* error = find(expect, "error");
    if (error != nullptr && error->is_string() && error->get<std::string>() == "invalid opcode") {
        return "invalid opcode";
    }
    return "revert without data";
}

std::string describe_event(const DecodedEvent& e, const Labels& labels) {
    std::string s = (e.name ? *e.name : std::string("<undecoded>")) + " from " + labels(e.address);
    s += " {";
    bool first = true;
    for (const auto& [k, v] : e.args) {
        s += first ? "" : ", ";
        first = false;
        s += k + ": " + to_display(v);
    }
    return s + "}";
}

std::string describe_raw_log(const state::RawLog& log, const Labels& labels) {
    std::string s = "from " + labels(log.address) + " topics [";
    for (size_t i = 0; i < log.topics.size(); ++i) s += (i ? ", " : "") + log.topics[i].hex();
    return s + "] data " + hex::encode(log.data);
}

std::string name_list(const std::vector<std::string>& names) {
    std::string s = std::to_string(names.size()) + " [";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s + "]";
}

// ---------------------------------------------------------------------------
// Comparing one outcome with its recording

struct FieldMismatch {
    std::string field;
    std::string expected;
    std::string actual;
};
using Check = std::optional<FieldMismatch>;

Check compare_return(const json& expected, const ExecResult& r) {
    if (!expected.is_array()) throw VectorError("\"return\" is not an array");
    abi::Decoder dec(r.output);
    for (size_t i = 0; i < expected.size(); ++i) {
        const TypedValue want = parse_typed(expected[i]);
        const std::optional<TypedValue> got = decode(dec, i, want.type);
        const std::string field = "return[" + std::to_string(i) + "]";
        if (!got) {
            return FieldMismatch{
                field, to_display(want),
                "returndata " + hex::encode(r.output) + " does not decode as " + want.type.name()};
        }
        if (!(*got == want)) return FieldMismatch{field, to_display(want), to_display(*got)};
    }
    return std::nullopt;
}

Check compare_events(const json& expected, const ExecResult& r, const Labels& labels) {
    if (!expected.is_array()) throw VectorError("\"events\" is not an array");
    std::vector<DecodedEvent> want;
    want.reserve(expected.size());
    for (const auto& e : expected) want.push_back(parse_event(e));
    std::vector<DecodedEvent> got;
    got.reserve(r.logs.size());
    for (const auto& log : r.logs) got.push_back(decode_event(log));

    if (want.size() != got.size()) {
        auto names = [&](const std::vector<DecodedEvent>& v) {
            std::vector<std::string> out;
            for (const auto& e : v) {
                out.push_back((e.name ? *e.name : std::string("<undecoded>")) + "@" +
                              labels.short_name(e.address));
            }
            return name_list(out);
        };
        return FieldMismatch{"events", names(want), names(got)};
    }
    for (size_t i = 0; i < want.size(); ++i) {
        if (!want[i].name) continue;  // the recorder could not decode it: raw log only
        if (!(want[i] == got[i])) {
            return FieldMismatch{"events[" + std::to_string(i) + "]",
                                 describe_event(want[i], labels), describe_event(got[i], labels)};
        }
    }
    return std::nullopt;
}

Check compare_logs(const json& expected, const ExecResult& r, const Labels& labels) {
    if (!expected.is_array()) throw VectorError("\"logs\" is not an array");
    std::vector<state::RawLog> want;
    want.reserve(expected.size());
    for (const auto& l : expected) want.push_back(parse_raw_log(l));
    std::vector<state::RawLog> got;
    got.reserve(r.logs.size());
    for (const auto& log : r.logs) {
        if (log.event == nullptr) {
            return FieldMismatch{"logs", "logs with event descriptors",
                                 "a log from " + labels(log.emitter) + " without a descriptor"};
        }
        got.push_back(state::encode_log(log));
    }
    if (want.size() != got.size()) {
        auto addrs = [&](const std::vector<state::RawLog>& v) {
            std::vector<std::string> out;
            for (const auto& l : v) {
                out.push_back(
                    (l.topics.empty() ? std::string("?") : l.topics[0].hex().substr(0, 10)) + "@" +
                    labels.short_name(l.address));
            }
            return name_list(out);
        };
        return FieldMismatch{"logs", addrs(want), addrs(got)};
    }
    for (size_t i = 0; i < want.size(); ++i) {
        if (!same_raw_log(want[i], got[i])) {
            return FieldMismatch{"logs[" + std::to_string(i) + "]",
                                 describe_raw_log(want[i], labels),
                                 describe_raw_log(got[i], labels)};
        }
    }
    return std::nullopt;
}

Check compare_returndata(const json& expect, const ExecResult& r) {
    const json* rd = find(expect, "returndata");
    if (rd == nullptr) return std::nullopt;
    std::optional<Bytes> want;
    if (rd->is_string()) want = hex::decode(rd->get_ref<const std::string&>());
    if (!want) throw VectorError("\"returndata\" is not hex");
    if (*want != r.output)
        return FieldMismatch{"returndata", hex::encode(*want), hex::encode(r.output)};
    return std::nullopt;
}

// The first field of `r` that differs from `expect`.
Check compare_outcome(const json& expect, const ExecResult& r, const Labels& labels) {
    const std::string& status = need_string(expect, "status");
    if (status != "success" && status != "revert")
        throw VectorError("unknown status " + json_quote(status));
    const bool want_success = status == "success";
    if (want_success != r.success) {
        return FieldMismatch{"status", describe_expected(expect), describe_actual(r)};
    }
    if (!want_success) {
        if (const json* reason = find(expect, "reason")) {
            if (reason->is_null()) {
                if (r.revert_kind == Revert::Kind::kReason) {
                    return FieldMismatch{"reason", "none (" + describe_expected(expect) + ")",
                                         describe_revert(r.revert_kind, r.revert_reason)};
                }
            } else if (reason->is_string()) {
                const std::string& want = reason->get_ref<const std::string&>();
                if (r.revert_kind != Revert::Kind::kReason || r.revert_reason != want) {
                    return FieldMismatch{"reason", "revert " + json_quote(want),
                                         describe_revert(r.revert_kind, r.revert_reason)};
                }
            } else {
                throw VectorError("\"reason\" is neither a string nor null");
            }
        }
        if (const json* error = find(expect, "error")) {
            if (!error->is_string()) throw VectorError("\"error\" is not a string");
            if (error->get_ref<const std::string&>() != r.error_name()) {
                return FieldMismatch{"error", error->get<std::string>(),
                                     std::string(r.error_name()) + " (" +
                                         describe_revert(r.revert_kind, r.revert_reason) + ")"};
            }
        }
    } else if (const json* ret = find(expect, "return")) {
        if (auto m = compare_return(*ret, r)) return m;
    }
    if (auto m = compare_returndata(expect, r)) return m;
    if (const json* events = find(expect, "events")) {
        if (auto m = compare_events(*events, r, labels)) return m;
    }
    if (const json* logs = find(expect, "logs")) {
        if (auto m = compare_logs(*logs, r, labels)) return m;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// Running a scenario

class ScenarioRun {
public:
    ScenarioRun(const json& scenario, const RunOptions& options)
        : labels_(scenario), options_(options), world_(contracts::new_world()) {}

    // Runs step `i`; the mismatch if it fails. Sets aborted() when the state
    // machine threw and its state can no longer be trusted.
    std::optional<Mismatch> step(size_t i, const json& step) {
        Mismatch m;
        m.step = i;
        try {
            m.kind = need_string(step, "kind");
            const state::BlockContext block{i + 1, need_u64(step, "timestamp"), options_.chain_id};
            const json& expect = need(step, "expect");
            if (!expect.is_object()) throw VectorError("\"expect\" is not an object");

            std::optional<ExecResult> result;
            std::optional<Address> deployed_at;
            std::string deployed_type;
            if (m.kind == "deploy") {
                deployed_type = need_string(step, "type");
                m.contract = deployed_type;
                m.signature = "constructor(";
                const Address from = need_address(step, "from");
                const Address at = need_address(expect, "address");
                deployed_at = at;
                m.from = labels_(from);
                m.to = labels_(at);
                const json& args_json = need(step, "args");
                if (!args_json.is_array()) throw VectorError("\"args\" is not an array");
                std::vector<TypedValue> args;
                for (const auto& a : args_json) args.push_back(parse_typed(a));
                for (size_t k = 0; k < args.size(); ++k) {
                    m.signature += (k == 0 ? "" : ",") + args[k].type.name();
                }
                m.signature += ")";
                const Bytes ctor_args = encode_all(args);
                result = guarded(m, [&] {
                    return contracts::deploy_builtin(*world_, deployed_type, at, from, ctor_args,
                                                     block);
                });
            } else if (m.kind == "tx" || m.kind == "call") {
                if (const json* c = find(step, "contract"); c && c->is_string()) {
                    m.contract = c->get<std::string>();
                }
                const json* sig = find(step, "signature");
                if (sig == nullptr || !sig->is_string()) sig = find(step, "method");
                if (sig != nullptr && sig->is_string()) m.signature = sig->get<std::string>();
                state::Message msg;
                msg.from = need_address(step, "from");
                msg.to = need_address(step, "to");
                m.from = labels_(msg.from);
                m.to = labels_(msg.to);
                auto data = hex::decode(need_string(step, "calldata"));
                if (!data) throw VectorError("\"calldata\" is not hex");
                msg.data = std::move(*data);
                const bool commit = m.kind == "tx";
                result = guarded(m, [&] {
                    return commit ? world_->execute(msg, block) : world_->simulate(msg, block);
                });
            } else {
                throw VectorError("unknown step kind " + json_quote(m.kind));
            }
            if (!result) return m;  // the state machine threw

            Check c = compare_outcome(expect, *result, labels_);
            if (!c && deployed_at && result->success)
                c = check_deployed(*deployed_at, deployed_type);
            if (!c) return std::nullopt;
            m.field = std::move(c->field);
            m.expected = std::move(c->expected);
            m.actual = std::move(c->actual);
            return m;
        } catch (const VectorError& e) {
            return vector_error(std::move(m), e.what());
        } catch (const json::exception& e) {
            return vector_error(std::move(m), e.what());
        }
    }

    [[nodiscard]] bool aborted() const { return aborted_; }

private:
    static Mismatch vector_error(Mismatch m, const std::string& what) {
        m.field = "vector";
        m.expected = "a well-formed step";
        m.actual = what;
        return m;
    }

    // Runs `fn`; on an exception escaping the state machine records it in `m`
    // and returns nullopt.
    template <class Fn>
    std::optional<ExecResult> guarded(Mismatch& m, Fn&& fn) {
        std::string what;
        try {
            return fn();
        } catch (const Revert& r) {
            what =
                "a Revert escaped the transaction boundary: " + describe_revert(r.kind, r.reason);
        } catch (const std::exception& e) {
            what = std::string("exception: ") + e.what();
        } catch (...) {
            what = "unknown exception";
        }
        aborted_ = true;
        m.field = "exception";
        m.expected = "a result";
        m.actual = what;
        return std::nullopt;
    }

    Check check_deployed(const Address& at, const std::string& type) const {
        const state::Contract* c = world_->contract_at(at);
        if (c == nullptr) {
            return FieldMismatch{"address", type + " at " + at.hex(), "no contract at " + at.hex()};
        }
        if (c->type_name() != type) {
            return FieldMismatch{"address", type + " at " + at.hex(),
                                 std::string(c->type_name()) + " at " + at.hex()};
        }
        return std::nullopt;
    }

    Labels labels_;
    RunOptions options_;
    std::unique_ptr<state::World> world_;
    bool aborted_ = false;
};

}  // namespace

ScenarioResult run_scenario(const json& scenario, const RunOptions& options) {
    ScenarioResult res;
    try {
        if (!scenario.is_object()) throw VectorError("scenario is not a JSON object");
        if (const json* name = find(scenario, "name"); name && name->is_string()) {
            res.name = name->get<std::string>();
        }
        const json& steps = need(scenario, "steps");
        if (!steps.is_array()) throw VectorError("\"steps\" is not an array");
        res.steps = steps.size();
        ScenarioRun run(scenario, options);
        for (size_t i = 0; i < steps.size(); ++i) {
            if (run.aborted()) {
                // Not run: the state machine's state is unknown after it threw.
                res.failed += steps.size() - i;
                break;
            }
            std::optional<Mismatch> m = run.step(i, steps[i]);
            if (!m) {
                ++res.passed;
                continue;
            }
            ++res.failed;
            if (res.mismatches.size() < options.mismatches_per_scenario) {
                res.mismatches.push_back(std::move(*m));
            }
        }
    } catch (const std::exception& e) {
        res.error = e.what();
        const size_t counted = res.passed + res.failed;
        res.failed += res.steps > counted ? res.steps - counted : (counted == 0 ? 1 : 0);
    }
    return res;
}

FileResult run_file(const std::string& path, const RunOptions& options,
                    const std::function<void(const ScenarioResult&)>& on_scenario) {
    FileResult fr;
    fr.path = path;
    try {
        LineReader reader(path);
        std::string line;
        while (reader.next(line)) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            ScenarioResult sr;
            json scenario = json::parse(line, nullptr, /*allow_exceptions=*/false);
            if (scenario.is_discarded()) {
                sr.error = "line is not valid JSON";
                sr.failed = 1;
            } else {
                sr = run_scenario(scenario, options);
            }
            sr.line = reader.line_number();
            ++fr.scenarios;
            fr.passed += sr.passed;
            fr.failed += sr.failed;
            if (on_scenario) on_scenario(sr);
            if (!sr.ok()) fr.failing.push_back(std::move(sr));
        }
    } catch (const ReadError& e) {
        fr.error = e.what();
        ++fr.failed;
    }
    if (fr.scenarios == 0 && fr.error.empty()) {
        fr.error = "no scenarios in " + path;
        ++fr.failed;
    }
    return fr;
}

}  // namespace ampd::conformance
