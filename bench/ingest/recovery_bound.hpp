// The sender-recovery bound: how many signatures the machine can recover per
// second with every core busy doing nothing else. Every transaction the node
// admits costs one recovery, so no ingest path can beat this rate; the load
// generator reports acknowledged transactions as a fraction of it.
#pragma once

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

}  // namespace ampd_load
