#include "ampd/cli/env.hpp"

#include <cstdlib>

namespace ampd::cli {

Env process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr || *v == '\0') return std::nullopt;
        return std::string(v);
    };
}

}  // namespace ampd::cli
