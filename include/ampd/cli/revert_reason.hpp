// Revert reasons in words. Amp reverts with two-character codes from its
// ErrorCodes.sol ("52"); the CLI adds what each means.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"

namespace ampd::cli {

// "52 (insufficient balance)" for a known Amp code, the reason unchanged
// otherwise.
[[nodiscard]] std::string explain_reason(std::string_view reason);

// The Error(string) reason inside revert data, if it is one.
[[nodiscard]] std::optional<std::string> revert_reason(ByteView revert_data);

}  // namespace ampd::cli
