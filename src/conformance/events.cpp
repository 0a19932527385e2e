#include "ampd/conformance/events.hpp"

#include <nlohmann/json.hpp>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::conformance {

namespace {

using json = nlohmann::json;

const json& field(const json& j, const char* key, const char* what) {
    if (!j.is_object()) throw VectorError(std::string(what) + " is not an object");
    auto it = j.find(key);
    if (it == j.end()) {
        throw VectorError(std::string(what) + " has no \"" + key + "\": " + dump_json(j));
    }
    return *it;
}

Address parse_addr(const json& j, const char* what) {
    if (j.is_string()) {
        if (auto a = Address::from_hex(j.get_ref<const std::string&>())) return *a;
    }
    throw VectorError(std::string("bad address in ") + what + ": " + dump_json(j));
}

}  // namespace

DecodedEvent decode_event(const state::LogRecord& log) {
    DecodedEvent e;
    e.address = log.emitter;
    if (log.event == nullptr) return e;
    const state::EventDescriptor& d = *log.event;
    e.name = d.name;
    size_t blob_pos = 0;
    for (size_t i = 0; i < d.params.size() && i < state::kMaxEventParams; ++i) {
        const state::EventParam& p = d.params[i];
        const Bytes32& w = log.words[i];
        auto type = TypeSpec::parse(state::abi_type_name(p.type));
        if (!type) continue;  // not reachable: descriptors use supported types
        TypedValue v{*type, u256()};
        if (state::is_dynamic(p.type)) {
            const u256 len_word = u256_from_word(w);
            size_t len = len_word.fits_u64() ? static_cast<size_t>(len_word.w[0]) : SIZE_MAX;
            if (len > log.blob.size() - blob_pos) len = log.blob.size() - blob_pos;
            ByteView payload(log.blob.data() + blob_pos, len);
            blob_pos += len;
            if (p.indexed) {
                const Bytes32 h = keccak256(payload);
                v.type = TypeSpec{TypeSpec::Kind::kFixedBytes, 32, false};
                v.value = Bytes(h.b.begin(), h.b.end());
            } else if (p.type == state::AbiType::kString) {
                v.value = std::string(payload.begin(), payload.end());
            } else {
                v.value = Bytes(payload.begin(), payload.end());
            }
        } else {
            switch (type->kind) {
                case TypeSpec::Kind::kUint:
                case TypeSpec::Kind::kInt:
                    v.value = u256_from_word(w);
                    break;
                case TypeSpec::Kind::kAddress:
                    v.value = address_from_word(w);
                    break;
                case TypeSpec::Kind::kBool:
                    v.value = !w.is_zero();
                    break;
                case TypeSpec::Kind::kFixedBytes:
                    v.value = Bytes(w.b.begin(), w.b.begin() + type->size);
                    break;
                default:
                    break;
            }
        }
        e.args.insert_or_assign(std::string(p.name), std::move(v));
    }
    return e;
}

DecodedEvent parse_event(const json& j) {
    DecodedEvent e;
    e.address = parse_addr(field(j, "address", "event"), "event");
    const json& name = field(j, "name", "event");
    if (name.is_null()) return e;  // undecodable: compared as a raw log only
    if (!name.is_string()) throw VectorError("bad event name: " + dump_json(name));
    e.name = name.get<std::string>();
    auto args = j.find("args");
    if (args != j.end() && !args->is_null()) {
        if (!args->is_object()) throw VectorError("event args is not an object");
        for (const auto& [k, v] : args->items()) e.args.insert_or_assign(k, parse_typed(v));
    }
    return e;
}

state::RawLog parse_raw_log(const json& j) {
    state::RawLog log;
    log.address = parse_addr(field(j, "address", "log"), "log");
    const json& topics = field(j, "topics", "log");
    if (!topics.is_array()) throw VectorError("log topics is not an array");
    for (const auto& t : topics) {
        std::optional<Bytes32> b;
        if (t.is_string()) b = Bytes32::from_hex(t.get_ref<const std::string&>());
        if (!b) throw VectorError("bad log topic: " + dump_json(t));
        log.topics.push_back(*b);
    }
    const json& data = field(j, "data", "log");
    std::optional<Bytes> d;
    if (data.is_string()) d = hex::decode(data.get_ref<const std::string&>());
    if (!d) throw VectorError("bad log data: " + dump_json(data));
    log.data = std::move(*d);
    return log;
}

json to_json(const DecodedEvent& e) {
    json args = json::object();
    for (const auto& [k, v] : e.args) args[k] = to_json(v);
    return json{{"address", e.address.hex()},
                {"name", e.name ? json(*e.name) : json(nullptr)},
                {"args", std::move(args)}};
}

json to_json(const state::RawLog& log) {
    json topics = json::array();
    for (const auto& t : log.topics) topics.push_back(t.hex());
    return json{{"address", log.address.hex()},
                {"topics", std::move(topics)},
                {"data", hex::encode(log.data)}};
}

bool same_raw_log(const state::RawLog& a, const state::RawLog& b) {
    return a.address == b.address && a.topics == b.topics && a.data == b.data;
}

}  // namespace ampd::conformance
