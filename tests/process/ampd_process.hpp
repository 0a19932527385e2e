// The real ampd binary as a child process, for tests that must see exactly
// what a client sees: a process killed with SIGKILL and started again on the
// same data directory, raw HTTP, command-line behaviour.
//
// The binary is $AMPD_BIN when set (so that a sanitizer build of the tests
// can drive the release node), else the path CMake compiled in.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ampd::process_test {

inline std::string ampd_binary() {
    if (const char* env = std::getenv("AMPD_BIN"); env != nullptr && *env != '\0') return env;
#ifdef AMPD_BIN
    return AMPD_BIN;
#else
    throw std::runtime_error("set AMPD_BIN to the ampd binary");
#endif
}

// A loopback address of this test process's own, 127.(100 + pid bits 16+).
// (pid bits 8-15).(pid bits 0-7): tests that run in parallel never share
// one, so a port left free by a killed node cannot be taken by another
// test's node while this test's clients still aim at it.
inline const std::string& loopback_host() {
    static const std::string host = [] {
        const auto pid = static_cast<uint32_t>(::getpid());
        return "127." + std::to_string(100 + (pid >> 16) % 150) + "." +
               std::to_string((pid >> 8) & 0xff) + "." + std::to_string(pid & 0xff);
    }();
    return host;
}

inline sockaddr_in loopback_address(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, loopback_host().c_str(), &addr.sin_addr);
    addr.sin_port = htons(port);
    return addr;
}

// A port nothing listens on right now at loopback_host(). Someone may take
// it before ampd binds it; AmpdProcess::start() then tries another.
inline uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr = loopback_address(0);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Starts `argv` in its own process group with default signal handling,
// stdin from /dev/null and stdout/stderr appended to files; returns its pid.
//
// posix_spawn rather than fork(): the crash test restarts the node while its
// client threads run, and a forked child of a threaded process may only call
// async-signal-safe functions before exec.
inline pid_t spawn_process(std::vector<std::string> argv, const std::filesystem::path& out,
                           const std::filesystem::path& err) {
    std::vector<char*> args;
    for (std::string& s : argv) args.push_back(s.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err == out) {
        posix_spawn_file_actions_adddup2(&files, 1, 2);
    } else {
        posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&defaults, s);
    posix_spawnattr_setsigdefault(&attr, &defaults);

    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &files, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc) +
                                 " (set AMPD_BIN)");
    }
    return pid;
}

// Runs ampd with `args` to completion; returns the wait status.
inline int run_ampd(const std::vector<std::string>& args, const std::filesystem::path& out,
                    const std::filesystem::path& err) {
    std::vector<std::string> argv{ampd_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t pid = spawn_process(argv, out, err);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

class AmpdProcess {
public:
    // `args` follow the binary (without --http, which start() adds). Output
    // goes to <log_dir>/ampd.log, appended across restarts.
    AmpdProcess(std::vector<std::string> args, std::filesystem::path log_dir)
        : args_(std::move(args)), log_path_(std::move(log_dir) / "ampd.log") {
        // A write to a connection the node closed (it was killed) must be an
        // error for the client, not a signal that ends the test.
        ::signal(SIGPIPE, SIG_IGN);
    }
    ~AmpdProcess() {
        if (pid_ > 0) kill9();
    }
    AmpdProcess(const AmpdProcess&) = delete;
    AmpdProcess& operator=(const AmpdProcess&) = delete;

    // Starts the node and waits until /health answers. The port of the
    // previous run is reused when it is still free, so that clients can
    // keep their URL across a restart. Throws with the log's tail if the
    // node does not come up.
    void start(std::chrono::seconds timeout = std::chrono::seconds(60)) {
        if (pid_ > 0) throw std::logic_error("ampd is already running");
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (port_ == 0 || attempt > 0) set_port(free_port());
            spawn();
            if (wait_healthy(timeout)) return;
        }
        throw std::runtime_error("ampd exited before serving, 5 times:\n" + log_tail());
    }

    // Starts the node without waiting for it (to kill it while it recovers).
    void launch() {
        if (pid_ > 0) throw std::logic_error("ampd is already running");
        if (port_ == 0) set_port(free_port());
        spawn();
    }

    // SIGKILL to the node's process group: no shutdown work of any kind.
    void kill9() {
        if (pid_ <= 0) return;
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
    }

    // SIGTERM and the wait status; SIGKILL after `timeout`, reported as a
    // failure.
    int terminate(std::chrono::seconds timeout = std::chrono::seconds(30)) {
        if (pid_ <= 0) throw std::logic_error("ampd is not running");
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        int status = 0;
        for (;;) {
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) break;
            if (std::chrono::steady_clock::now() > deadline) {
                ADD_FAILURE() << "ampd did not stop within " << timeout.count() << " s of SIGTERM\n"
                              << log_tail();
                kill9();
                return -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = 0;
        return status;
    }

    [[nodiscard]] bool running() const { return pid_ > 0; }

    // False once the node has exited on its own. A process that dies
    // closes its sockets before it can be reaped, so a client that just saw
    // its connection fail gives it `grace` to be seen dead.
    bool alive(std::chrono::milliseconds grace = std::chrono::milliseconds(200)) {
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (pid_ > 0) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = 0;
                break;
            }
            if (std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return pid_ > 0;
    }
    [[nodiscard]] uint16_t port() const {
        std::lock_guard lk(mu_);
        return port_;
    }
    [[nodiscard]] std::string url() const {
        std::lock_guard lk(mu_);
        return "http://" + loopback_host() + ":" + std::to_string(port_);
    }
    [[nodiscard]] std::string log_tail(size_t max_bytes = 4000) const {
        const std::string text = read_file(log_path_);
        return text.size() <= max_bytes ? text : text.substr(text.size() - max_bytes);
    }

private:
    void set_port(uint16_t p) {
        std::lock_guard lk(mu_);
        port_ = p;
    }

    void spawn() {
        std::vector<std::string> argv{ampd_binary()};
        argv.insert(argv.end(), args_.begin(), args_.end());
        argv.push_back("--http");
        argv.push_back(loopback_host() + ":" + std::to_string(port()));
        pid_ = spawn_process(argv, log_path_, log_path_);
    }

    // True once /health answers 200; false if the node exited first.
    bool wait_healthy(std::chrono::seconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        httplib::Client http(loopback_host(), port());
        http.set_connection_timeout(std::chrono::milliseconds(200));
        http.set_read_timeout(std::chrono::seconds(2));
        http.set_keep_alive(false);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = 0;
                return false;
            }
            if (auto res = http.Get("/health"); res && res->status == 200) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        kill9();
        throw std::runtime_error("ampd did not answer /health in time:\n" + log_tail());
    }

    std::vector<std::string> args_;
    std::filesystem::path log_path_;
    pid_t pid_ = 0;
    mutable std::mutex mu_;
    uint16_t port_ = 0;
};

}  // namespace ampd::process_test
