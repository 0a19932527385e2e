// Where a key's password comes from, in this order: --password-file, the
// AMP_PASSWORD environment variable, or a prompt on the terminal with echo
// off (only when stdin is a terminal; a script never hangs on a prompt).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ampd/cli/env.hpp"

namespace ampd::cli {

// Asks for a secret; nullopt when nobody can be asked.
using Prompt = std::function<std::optional<std::string>(const std::string& question)>;

// Reads a line from stdin with echo off when stdin is a terminal (question
// on stderr); nullopt otherwise. Echo is restored even if the read is
// interrupted by SIGINT, SIGTERM or SIGHUP.
[[nodiscard]] Prompt terminal_prompt();

struct PasswordRequest {
    std::string file;     // --password-file; empty if not given
    std::string purpose;  // "key \"alice\"": shown in the prompt and in errors
    bool is_new = false;  // a new key: the prompt asks twice, empty is refused
};

// The password, from the first source that has one. A file's first line
// is the password (a trailing "\n" or "\r\n" is not part of it). Throws
// CommandError when no source has one, the file cannot be read, or (for a
// new key) the password is empty or the two prompted entries differ.
[[nodiscard]] std::string obtain_password(const PasswordRequest& req, const Env& env,
                                          const Prompt& prompt);

}  // namespace ampd::cli
