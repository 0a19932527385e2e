// File helpers for storage tests: temporary directories, reading, writing
// and damaging files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "ampd/primitives/bytes.hpp"
#include "support/temp_dir.hpp"

namespace ampd::storage::test {

// Temporary directories come from the shared test support.
using TestDir = test_support::TempDir;

inline Bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& p, ByteView data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
}

inline void flip_byte(const std::filesystem::path& p, uint64_t offset) {
    Bytes b = read_file(p);
    b.at(offset) ^= 0x5A;
    write_file(p, b);
}

}  // namespace ampd::storage::test
