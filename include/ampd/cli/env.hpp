// The process environment as a function, so that commands read AMP_RPC,
// AMP_PASSWORD or XDG_DATA_HOME through something a test can replace.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ampd::cli {

// The value of an environment variable; nullopt when unset or empty.
using Env = std::function<std::optional<std::string>(const std::string& name)>;

// getenv(3).
[[nodiscard]] Env process_env();

}  // namespace ampd::cli
