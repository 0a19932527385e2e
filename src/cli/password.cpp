#include "ampd/cli/password.hpp"

#include <fmt/core.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include "ampd/cli/errors.hpp"

namespace ampd::cli {

namespace {

// The terminal settings to put back if a signal arrives while echo is off:
// without this, Ctrl-C at a password prompt leaves the shell blind.
struct termios g_saved_termios;
volatile sig_atomic_t g_echo_off = 0;

void restore_and_reraise(int sig) {
    if (g_echo_off != 0) (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
        installed_ = true;
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
            struct sigaction sa {};
            sa.sa_handler = restore_and_reraise;
            sigemptyset(&sa.sa_mask);
            ::sigaction(sig, &sa, &old_[index(sig)]);
        }
        struct termios quiet = g_saved_termios;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // the Enter key still moves to a new line
        g_echo_off = 1;
        (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    ~EchoOff() {
        if (!installed_) return;
        if (g_echo_off != 0) (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
        g_echo_off = 0;
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &old_[index(sig)], nullptr);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    static size_t index(int sig) { return sig == SIGINT ? 0 : sig == SIGTERM ? 1 : 2; }
    struct sigaction old_[3]{};
    bool installed_ = false;
};

std::string strip_line_end(std::string s) {
    if (!s.empty() && s.back() == '\n') s.pop_back();
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
}

std::string first_line_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError(fmt::format("cannot read password file {}", path));
    std::string line;
    std::getline(in, line);
    if (in.bad()) throw CommandError(fmt::format("cannot read password file {}", path));
    return strip_line_end(line);
}

}  // namespace

Prompt terminal_prompt() {
    return [](const std::string& question) -> std::optional<std::string> {
        if (::isatty(STDIN_FILENO) == 0) return std::nullopt;
        std::string line;
        {
            // Echo off first (it discards pending input), then the question:
            // anything typed after the question appears is kept.
            const EchoOff guard;
            std::cerr << question << std::flush;
            if (!std::getline(std::cin, line)) return std::nullopt;
        }
        return strip_line_end(line);
    };
}

std::string obtain_password(const PasswordRequest& req, const Env& env, const Prompt& prompt) {
    std::string password;
    if (!req.file.empty()) {
        password = first_line_of(req.file);
    } else if (auto from_env = env("AMP_PASSWORD")) {
        password = *from_env;
    } else {
        const std::optional<std::string> first =
            prompt ? prompt(fmt::format("Password for {}: ", req.purpose)) : std::nullopt;
        if (!first) {
            throw CommandError(fmt::format(
                "{} needs a password: give --password-file FILE, set AMP_PASSWORD, or run in a "
                "terminal to be asked",
                req.purpose));
        }
        password = *first;
        if (req.is_new && !password.empty()) {
            const std::optional<std::string> again = prompt("Repeat the password: ");
            if (!again || *again != password) throw CommandError("the passwords do not match");
        }
    }
    if (req.is_new && password.empty()) {
        throw CommandError(fmt::format("refusing an empty password for {}", req.purpose));
    }
    return password;
}

}  // namespace ampd::cli
