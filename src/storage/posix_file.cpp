#include "storage/posix_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace ampd::storage::posix {
StorageError io_error(std::string_view what, const std::filesystem::path& path, int err) {
    std::string msg(what);
    msg += " ";
    msg += path.string();
    msg += ": ";
    msg += std::strerror(err);
    return make_error(ErrorKind::kIo, std::move(msg));
}

File::~File() {
    if (fd_ >= 0) ::close(fd_);
}

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

File& File::operator=(File&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

namespace {

Result<int> open_fd(const std::filesystem::path& path, int flags, std::string_view what) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return io_error(what, path, errno);
    return fd;
}

}  // namespace

Result<File> File::open_read(const std::filesystem::path& path) {
    auto fd = open_fd(path, O_RDONLY, "open");
    if (!fd) return std::move(fd).error();
    return File(*fd, path);
}

Result<File> File::open_write(const std::filesystem::path& path) {
    auto fd = open_fd(path, O_RDWR | O_CREAT, "open");
    if (!fd) return std::move(fd).error();
    return File(*fd, path);
}

Result<File> File::open_write_direct(const std::filesystem::path& path) {
    auto fd = open_fd(path, O_RDWR | O_DIRECT, "open (O_DIRECT)");
    if (!fd) return std::move(fd).error();
    return File(*fd, path);
}

Result<File> File::create_new(const std::filesystem::path& path) {
    auto fd = open_fd(path, O_RDWR | O_CREAT | O_EXCL, "create");
    if (!fd) return std::move(fd).error();
    return File(*fd, path);
}

Result<File> File::create_truncate(const std::filesystem::path& path) {
    auto fd = open_fd(path, O_RDWR | O_CREAT | O_TRUNC, "create");
    if (!fd) return std::move(fd).error();
    return File(*fd, path);
}

Result<uint64_t> File::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return io_error("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
}

Result<size_t> File::pread_some(uint64_t offset, std::span<uint8_t> out) const {
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("read", path_, errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

Status File::pwrite_all(uint64_t offset, ByteView data) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("write", path_, errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

Status File::truncate(uint64_t size) {
    int rc = 0;
    do {
        rc = ::ftruncate(fd_, static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return io_error("truncate", path_, errno);
    return {};
}

Status File::sync_data() {
    // No retry on failure: after a failed fdatasync the kernel may already
    // have dropped the dirty pages, so a second call can report success for
    // data that never reached the disk. The caller must treat it as fatal.
    if (::fdatasync(fd_) != 0) return io_error("fdatasync", path_, errno);
    return {};
}

Status File::sync_all() {
    if (::fsync(fd_) != 0) return io_error("fsync", path_, errno);
    return {};
}

Status File::close() {
    if (fd_ < 0) return {};
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0 && errno != EINTR) return io_error("close", path_, errno);
    return {};
}

Result<std::vector<std::filesystem::path>> list_dir(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    // Explicit increments: the range-for form throws on errors.
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        out.push_back(it->path());
    }
    if (ec) return io_error("list directory", dir, ec.value());
    return out;
}

bool supports_direct_io(const std::filesystem::path& dir) {
    // Direct I/O wants the buffer, offset and length aligned to the logical
    // block size; 4 KiB covers every common device.
    constexpr size_t kBlock = 4096;
    const std::filesystem::path probe = dir / ".direct_io_probe";
    const int fd = ::open(probe.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_DIRECT | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    void* buffer = nullptr;
    bool ok = ::posix_memalign(&buffer, kBlock, kBlock) == 0;
    if (ok) {
        std::memset(buffer, 0, kBlock);
        ssize_t n = 0;
        do {
            n = ::pwrite(fd, buffer, kBlock, 0);
        } while (n < 0 && errno == EINTR);
        ok = n == static_cast<ssize_t>(kBlock);
    }
    std::free(buffer);  // NOLINT(cppcoreguidelines-no-malloc): posix_memalign's buffer
    ::close(fd);
    ::unlink(probe.c_str());
    return ok;
}

Status sync_dir(const std::filesystem::path& dir) {
    auto fd = open_fd(dir, O_RDONLY | O_DIRECTORY, "open directory");
    if (!fd) return std::move(fd).error();
    const int rc = ::fsync(*fd);
    const int err = errno;
    ::close(*fd);
    if (rc != 0) return io_error("fsync directory", dir, err);
    return {};
}

DirLock::~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

DirLock::DirLock(DirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

Result<DirLock> DirLock::acquire(const std::filesystem::path& dir) {
    const std::filesystem::path path = dir / "LOCK";
    auto fd = open_fd(path, O_RDWR | O_CREAT, "open lock file");
    if (!fd) return std::move(fd).error();
    if (::flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(*fd);
        if (err == EWOULDBLOCK) {
            return make_error(ErrorKind::kBusy, path.string() + " is locked by another writer");
        }
        return io_error("lock", path, err);
    }
    return DirLock(*fd);
}

}  // namespace ampd::storage::posix
