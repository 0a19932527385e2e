// Thin POSIX file wrappers for the WAL and snapshot store: every call
// retries EINTR and short transfers, and failures become StorageErrors that
// name the file and the errno text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/result.hpp"

namespace ampd::storage::posix {

// Alignment for O_DIRECT transfers (the largest logical block size in use).
inline constexpr size_t kDirectIoAlign = 4096;

class File {
public:
    File() = default;
    ~File();
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    static Result<File> open_read(const std::filesystem::path& path);
    // Opens for writing without truncating; creates with mode 0644 if absent.
    static Result<File> open_write(const std::filesystem::path& path);
    // Opens an existing file for writing with O_DIRECT: every write's
    // buffer, offset and length must be multiples of kDirectIoAlign.
    static Result<File> open_write_direct(const std::filesystem::path& path);
    // Creates a file that must not exist yet.
    static Result<File> create_new(const std::filesystem::path& path);
    // Creates or truncates.
    static Result<File> create_truncate(const std::filesystem::path& path);

    [[nodiscard]] bool is_open() const { return fd_ >= 0; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    [[nodiscard]] Result<uint64_t> size() const;
    // Reads up to out.size() bytes at `offset`; returns the count (short only at end of file).
    [[nodiscard]] Result<size_t> pread_some(uint64_t offset, std::span<uint8_t> out) const;
    [[nodiscard]] Status pwrite_all(uint64_t offset, ByteView data);
    [[nodiscard]] Status truncate(uint64_t size);
    // fdatasync: the data and the metadata needed to read it back (size).
    [[nodiscard]] Status sync_data();
    // fsync: everything, including metadata such as a truncation.
    [[nodiscard]] Status sync_all();
    [[nodiscard]] Status close();

private:
    File(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}

    int fd_ = -1;
    std::filesystem::path path_;
};

// The entries of `dir` (files and subdirectories), without throwing.
[[nodiscard]] Result<std::vector<std::filesystem::path>> list_dir(const std::filesystem::path& dir);

// fsync on a directory: makes file creations, renames and deletions in it durable.
[[nodiscard]] Status sync_dir(const std::filesystem::path& dir);

// Whether files in `dir` (which must exist) can be written with O_DIRECT:
// creates a probe file there, writes one aligned 4 KiB block and removes it.
// False on any failure; the caller then keeps to buffered I/O.
[[nodiscard]] bool supports_direct_io(const std::filesystem::path& dir);

// An exclusive advisory lock (flock) on `dir`/LOCK, held until destroyed, so
// two writers (processes or objects) never share one directory.
class DirLock {
public:
    DirLock() = default;
    ~DirLock();
    DirLock(DirLock&& other) noexcept;
    DirLock& operator=(DirLock&& other) noexcept;
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

    static Result<DirLock> acquire(const std::filesystem::path& dir);

private:
    explicit DirLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// "<what> <path>: <strerror(err)>" as an I/O error.
[[nodiscard]] StorageError io_error(std::string_view what, const std::filesystem::path& path,
                                    int err);

}  // namespace ampd::storage::posix
