// Events in the two forms the vectors record: decoded ({address, name,
// args}) and raw ({address, topics, data}), with the conversions from our
// LogRecords and from the vector's JSON.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "ampd/conformance/typed_value.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/state/log.hpp"

namespace ampd::conformance {

struct DecodedEvent {
    Address address;
    // nullopt when the recorder could not decode the log (for example a
    // string argument that is not UTF-8); only the raw log is compared then.
    std::optional<std::string> name;
    std::map<std::string, TypedValue> args;

    friend bool operator==(const DecodedEvent&, const DecodedEvent&) = default;
};

// Our log decoded through its event descriptor. An indexed dynamic argument
// appears as the bytes32 hash it is stored as.
[[nodiscard]] DecodedEvent decode_event(const state::LogRecord& log);

// From the vector. Throw VectorError.
[[nodiscard]] DecodedEvent parse_event(const nlohmann::json& j);
[[nodiscard]] state::RawLog parse_raw_log(const nlohmann::json& j);

[[nodiscard]] nlohmann::json to_json(const DecodedEvent& e);
[[nodiscard]] nlohmann::json to_json(const state::RawLog& log);

// Same address, topics and data.
[[nodiscard]] bool same_raw_log(const state::RawLog& a, const state::RawLog& b);

}  // namespace ampd::conformance
