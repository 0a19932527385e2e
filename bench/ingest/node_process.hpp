// The ampd binary as a child process of the load generator, and the CPU
// accounting that keeps the report honest: the generator and the node share
// the machine's cores, so both their CPU times are reported.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ampd_load {

// Runs `argv` to completion and returns what it wrote to stdout; throws if
// it cannot be started or exits non-zero.
[[nodiscard]] std::string run_capture(const std::vector<std::string>& argv);

// A loopback TCP port nothing listens on right now.
[[nodiscard]] uint16_t free_port();

class NodeProcess {
public:
    // Starts `argv` with stdout and stderr appended to `log`.
    NodeProcess(std::vector<std::string> argv, const std::filesystem::path& log);
    // SIGKILL if still running.
    ~NodeProcess();
    NodeProcess(const NodeProcess&) = delete;
    NodeProcess& operator=(const NodeProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool alive() const;
    // User + system CPU seconds the process has used so far (/proc/<pid>/stat).
    [[nodiscard]] double cpu_seconds() const;
    // The same per thread name (/proc/<pid>/task/*/stat), summed over the
    // threads that share one (the RPC workers, RocksDB's pools). A thread
    // that has exited is no longer counted.
    [[nodiscard]] std::map<std::string, double> thread_cpu_seconds() const;
    // SIGTERM, then waits (SIGKILL after 60 s); returns the wait status and
    // fills `usage` with the child's whole-life resource usage.
    int stop(rusage* usage);

private:
    pid_t pid_ = 0;
};

// CPU seconds of this process (user + system) so far.
[[nodiscard]] double self_cpu_seconds();

// Machine-wide CPU time from /proc/stat: busy and total core-seconds.
struct MachineCpu {
    double busy = 0;
    double total = 0;
};
[[nodiscard]] MachineCpu machine_cpu();
// The 1-minute load average.
[[nodiscard]] double load_average();

}  // namespace ampd_load
