#include "ampd/cli/key_store.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ampd/cli/errors.hpp"

namespace ampd::cli {

namespace {

namespace fs = std::filesystem;

// Keystore files are a few hundred bytes; anything far larger is not one.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;

std::string errno_text() {
    return std::strerror(errno);
}

// Closes a file descriptor on every path out of a scope.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

std::optional<std::string> read_small_file(const fs::path& p) {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(p, ec);
    if (ec || size > kMaxKeyFileBytes) return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The "address" field of a keystore file (40 hex digits, 0x optional).
std::optional<Address> address_field(const std::string& text) {
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) return std::nullopt;
    const auto it = doc.find("address");
    if (it == doc.end() || !it->is_string()) return std::nullopt;
    std::string hex = it->get<std::string>();
    if (!hex.starts_with("0x") && !hex.starts_with("0X")) hex = "0x" + hex;
    return Address::from_hex(hex);
}

// Creates the key directory (and its parents); the directory itself 0700.
void ensure_dir(const fs::path& dir) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw CommandError(
            fmt::format("cannot create key directory {}: {}", dir.string(), errno_text()));
    }
}

void write_all(int fd, const std::string& text, const fs::path& p) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw CommandError(fmt::format("cannot write {}: {}", p.string(), errno_text()));
        done += static_cast<size_t>(n);
    }
}

void sync_dir(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0) (void)::fsync(fd.get());
}

}  // namespace

fs::path KeyStore::default_dir(const Env& env) {
    if (const auto xdg = env("XDG_DATA_HOME")) return fs::path(*xdg) / "ampd" / "keys";
    if (const auto home = env("HOME")) return fs::path(*home) / ".local/share/ampd/keys";
    throw CommandError("neither XDG_DATA_HOME nor HOME is set: give --keystore DIR");
}

void KeyStore::check_name(std::string_view name) {
    const bool chars_ok = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
    if (name.empty() || name.size() > 64 || !chars_ok || name.front() == '.') {
        throw UsageError(fmt::format(
            "key name \"{}\": use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'",
            name));
    }
}

fs::path KeyStore::path_of(std::string_view name) const {
    check_name(name);
    return dir_ / (std::string(name) + ".json");
}

StoredKey KeyStore::add(std::string_view name, const tx::PrivateKey& key, std::string_view password,
                        const tx::KdfParams& kdf) const {
    const fs::path final_path = path_of(name);
    auto json_text = tx::encrypt_key(key, password, kdf);
    if (!json_text) throw CommandError("cannot encrypt the key: " + json_text.error().message);
    ensure_dir(dir_);
    std::error_code ec;
    if (fs::exists(final_path, ec)) {
        throw CommandError(
            fmt::format("a key named \"{}\" already exists ({})", name, final_path.string()));
    }

    const fs::path tmp = dir_ / fmt::format(".{}.{}.tmp", name, ::getpid());
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (fd.get() < 0) {
            throw CommandError(fmt::format("cannot create {}: {}", tmp.string(), errno_text()));
        }
        // The umask can only take bits away, but be exact about the mode.
        (void)::fchmod(fd.get(), 0600);
        try {
            write_all(fd.get(), *json_text, tmp);
            if (::fsync(fd.get()) != 0) {
                throw CommandError(fmt::format("cannot sync {}: {}", tmp.string(), errno_text()));
            }
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
        if (::close(fd.release()) != 0) {
            ::unlink(tmp.c_str());
            throw CommandError(fmt::format("cannot write {}: {}", tmp.string(), errno_text()));
        }
    }
    // link() fails if the name appeared meanwhile: a key is never replaced.
    const int linked = ::link(tmp.c_str(), final_path.c_str());
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (linked != 0) {
        if (link_errno == EEXIST) {
            throw CommandError(fmt::format("a key named \"{}\" already exists", name));
        }
        throw CommandError(
            fmt::format("cannot store {}: {}", final_path.string(), std::strerror(link_errno)));
    }
    sync_dir(dir_);
    return StoredKey{std::string(name), tx::address_of(key), final_path};
}

StoredKey KeyStore::find(std::string_view name) const {
    const fs::path p = path_of(name);
    std::error_code ec;
    if (!fs::exists(p, ec)) {
        throw CommandError(fmt::format("no key named \"{}\" in {}", name, dir_.string()));
    }
    const std::optional<std::string> text = read_small_file(p);
    const std::optional<Address> a = text ? address_field(*text) : std::nullopt;
    if (!a)
        throw CommandError(fmt::format("{} is not a keystore file with an address", p.string()));
    return StoredKey{std::string(name), *a, p};
}

std::vector<StoredKey> KeyStore::list() const {
    std::vector<StoredKey> out;
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return out;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
        const fs::path& p = e.path();
        if (p.extension() != ".json" || !e.is_regular_file(ec)) continue;
        const std::string name = p.stem().string();
        if (name.empty() || name.front() == '.') continue;
        const std::optional<std::string> text = read_small_file(p);
        const std::optional<Address> a = text ? address_field(*text) : std::nullopt;
        if (a) out.push_back(StoredKey{name, *a, p});
    }
    std::sort(out.begin(), out.end(),
              [](const StoredKey& x, const StoredKey& y) { return x.name < y.name; });
    return out;
}

std::optional<StoredKey> KeyStore::find_by_address(const Address& address) const {
    for (StoredKey& k : list()) {
        if (k.address == address) return std::move(k);
    }
    return std::nullopt;
}

tx::PrivateKey KeyStore::unlock(const StoredKey& key, std::string_view password) const {
    const std::optional<std::string> text = read_small_file(key.path);
    if (!text) throw CommandError(fmt::format("cannot read {}", key.path.string()));
    auto decrypted = tx::decrypt_key(*text, password);
    if (!decrypted) {
        if (decrypted.error().kind == tx::KeystoreErrorKind::kWrongPassword) {
            throw CommandError(fmt::format("wrong password for key \"{}\"", key.name));
        }
        throw CommandError(
            fmt::format("key file {}: {}", key.path.string(), decrypted.error().message));
    }
    if (tx::address_of(*decrypted) != key.address) {
        throw CommandError(
            fmt::format("key file {} names another address than its key holds", key.path.string()));
    }
    return *decrypted;
}

}  // namespace ampd::cli
