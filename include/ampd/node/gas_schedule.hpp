// The fixed gas schedule. ampd has no native coin economy (any gas price,
// including zero, is accepted), but wallets and libraries always send a gas
// limit, and eth_estimateGas must answer honestly: a transaction sent with
// the estimate as its limit runs to completion on the same state.
//
// Gas used = intrinsic + execution, where
//   intrinsic = 21,000 (53,000 for a contract creation)
//             + 16 per non-zero and 4 per zero calldata byte
//             + 2,400 per access-list address + 1,900 per storage key
//   execution = 5,000 per state write (a journal record: one balance, one
//               allowance, one list slot, ...)
//             + per log: 375 + 375 per topic + 8 per data byte
// The calldata and access-list prices are Ethereum's (EIP-2028, EIP-2930),
// so client-side checks of the intrinsic cost agree with ours.
#pragma once

#include <cstdint>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/world.hpp"

namespace ampd::node::gas {

inline constexpr uint64_t kTransaction = 21'000;
inline constexpr uint64_t kCreation = 53'000;
inline constexpr uint64_t kCalldataZeroByte = 4;
inline constexpr uint64_t kCalldataNonZeroByte = 16;
inline constexpr uint64_t kAccessListAddress = 2'400;
inline constexpr uint64_t kAccessListStorageKey = 1'900;
inline constexpr uint64_t kStateWrite = 5'000;
inline constexpr uint64_t kLog = 375;
inline constexpr uint64_t kLogTopic = 375;
inline constexpr uint64_t kLogDataByte = 8;

// The most a single transaction may use, and what blocks advertise as their
// gas limit (blocks are not filled by gas: the sequencer bounds them by count).
inline constexpr uint64_t kMaxTransactionGas = 30'000'000;
inline constexpr uint64_t kBlockGasLimit = 30'000'000;

[[nodiscard]] uint64_t intrinsic(ByteView calldata, bool creation, uint64_t access_list_addresses,
                                 uint64_t access_list_keys);
// Gas of the execution described by `r` (its state writes and logs).
[[nodiscard]] uint64_t execution(const state::ExecResult& r);
// The same from the state writes and the logs already ABI-encoded (what a
// receipt holds), so that a transaction's logs are encoded once.
[[nodiscard]] uint64_t execution(uint64_t state_writes, const std::vector<state::RawLog>& logs);

}  // namespace ampd::node::gas
