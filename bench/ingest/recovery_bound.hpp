// The sender-recovery bound: how many signatures the machine can recover per
// second with every core busy doing nothing else. Every transaction the node
// admits costs one recovery, so no ingest path can beat this rate; the load
// generator reports acknowledged transactions as a fraction of it.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ampd_load {

struct RecoveryRate {
    unsigned threads = 0;
    double per_second = 0;   // recoveries per second of wall-clock time, all threads
    double cpu_seconds = 0;  // CPU time per recovery (thread CPU clocks): what one
                             // costs whatever else runs on the machine
};

// `threads` threads call ampd::tx::recover_address on pre-made signatures
// for about `seconds`; returns the total rate.
[[nodiscard]] RecoveryRate measure_recovery_rate(unsigned threads, double seconds);

// What a recovery costs while the timed phase runs. This VM's speed drifts
// (the bound measured minutes apart differs by up to 20%), so the bounds
// before and after a run may not describe the run itself. Every
// `interval_seconds` a thread recovers `batch` signatures and notes the
// thread CPU time they took: about 1% of one core at the defaults, reported
// apart from the generator's own CPU.
class RecoveryProbe {
public:
    struct Result {
        unsigned samples = 0;         // batches measured
        double cpu_per_recovery = 0;  // seconds of CPU per recovery, over every batch
        double cpu_seconds = 0;       // the probe's whole CPU time
        bool wrong = false;           // a recovery returned the wrong address
    };

    RecoveryProbe(double interval_seconds = 0.5, unsigned batch = 100);
    ~RecoveryProbe();
    RecoveryProbe(const RecoveryProbe&) = delete;
    RecoveryProbe& operator=(const RecoveryProbe&) = delete;

    void start();
    Result stop();

private:
    double interval_;
    unsigned batch_;
    std::mutex mu_;
    std::condition_variable wake_;  // stop() ends the wait between batches at once
    bool stop_ = false;
    std::thread thread_;
    Result result_;
};

}  // namespace ampd_load
