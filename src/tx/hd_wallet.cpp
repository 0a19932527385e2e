#include "ampd/tx/hd_wallet.hpp"

#include <cryptopp/hmac.h>
#include <cryptopp/pwdbased.h>
#include <cryptopp/sha.h>
#include <string.h>  // explicit_bzero

#include <cstdlib>

namespace ampd::tx {
namespace {

constexpr unsigned kPbkdf2Iterations = 2048;
constexpr std::string_view kMasterHmacKey = "Bitcoin seed";
constexpr std::string_view kEthereumAccountPath = "m/44'/60'/0'/0";

const uint8_t* bytes_of(std::string_view s) {
    return reinterpret_cast<const uint8_t*>(s.data());
}

bool is_ascii(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Words joined by single spaces, and how many there are.
std::pair<std::string, size_t> normalize_words(std::string_view s) {
    std::string out;
    size_t words = 0;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        if (i == s.size()) break;
        if (!out.empty()) out.push_back(' ');
        while (i < s.size() && !is_space(s[i])) out.push_back(s[i++]);
        ++words;
    }
    return {std::move(out), words};
}

// HMAC-SHA512(key, data) split into the BIP-32 halves IL (key material)
// and IR (chain code).
struct Halves {
    std::array<uint8_t, 64> i{};
    ~Halves() { explicit_bzero(i.data(), i.size()); }
    [[nodiscard]] ByteView left() const { return ByteView(i).first(32); }
    [[nodiscard]] Bytes32 right() const { return Bytes32::from(ByteView(i).subspan(32)); }
};

void hmac_sha512(ByteView key, ByteView data, Halves& out) {
    CryptoPP::HMAC<CryptoPP::SHA512> mac(key.data(), key.size());
    mac.Update(data.data(), data.size());
    mac.Final(out.i.data());
}

}  // namespace

Result<Seed, std::string> mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase) {
    if (!is_ascii(mnemonic)) return std::string("mnemonic must be ASCII");
    if (!is_ascii(passphrase)) return std::string("passphrase must be ASCII");
    auto [words, count] = normalize_words(mnemonic);
    if (count < 12 || count > 24 || count % 3 != 0) {
        explicit_bzero(words.data(), words.size());
        return "mnemonic must have 12, 15, 18, 21 or 24 words, got " + std::to_string(count);
    }
    std::string salt = "mnemonic";
    salt.append(passphrase);
    Seed seed{};
    CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA512> kdf;
    kdf.DeriveKey(seed.data(), seed.size(), 0, bytes_of(words), words.size(), bytes_of(salt),
                  salt.size(), kPbkdf2Iterations);
    explicit_bzero(words.data(), words.size());
    explicit_bzero(salt.data(), salt.size());
    return seed;
}

Result<ExtendedKey, std::string> master_key(ByteView seed) {
    // BIP-32 allows 128 to 512 bits of seed.
    if (seed.size() < 16 || seed.size() > 64) {
        return std::string("seed must be 16 to 64 bytes");
    }
    Halves h;
    hmac_sha512(ByteView(bytes_of(kMasterHmacKey), kMasterHmacKey.size()), seed, h);
    auto key = PrivateKey::from_bytes(h.left());
    if (!key) return std::string("seed gives an invalid master key");
    return ExtendedKey{*key, h.right()};
}

Result<ExtendedKey, std::string> derive_child(const ExtendedKey& parent, uint32_t index) {
    // Hardened: 0x00 || secret || index. Normal: compressed public key || index.
    std::array<uint8_t, 37> data{};
    if (index >= kHardened) {
        std::copy(parent.key.bytes().b.begin(), parent.key.bytes().b.end(), data.begin() + 1);
    } else {
        const auto pub = public_key_compressed(parent.key);
        std::copy(pub.begin(), pub.end(), data.begin());
    }
    for (int i = 0; i < 4; ++i) data[33 + i] = static_cast<uint8_t>(index >> (24 - 8 * i));
    Halves h;
    hmac_sha512(parent.chain_code.b, data, h);
    explicit_bzero(data.data(), data.size());
    auto child = tweak_add(parent.key, Bytes32::from(h.left()));
    if (!child) return "child " + std::to_string(index) + " is invalid; use the next index";
    return ExtendedKey{*child, h.right()};
}

Result<std::vector<uint32_t>, std::string> parse_path(std::string_view path) {
    const std::string bad = "bad derivation path \"" + std::string(path) + "\"";
    if (path.empty() || path[0] != 'm') return bad + ": must start with m";
    path.remove_prefix(1);
    std::vector<uint32_t> out;
    while (!path.empty()) {
        if (path[0] != '/') return bad + ": expected /";
        path.remove_prefix(1);
        uint64_t v = 0;
        size_t digits = 0;
        while (digits < path.size() && path[digits] >= '0' && path[digits] <= '9') {
            v = v * 10 + static_cast<uint64_t>(path[digits] - '0');
            if (v >= kHardened) return bad + ": index must be below 2^31";
            ++digits;
        }
        if (digits == 0) return bad + ": expected an index";
        path.remove_prefix(digits);
        if (!path.empty() && (path[0] == '\'' || path[0] == 'h' || path[0] == 'H')) {
            v |= kHardened;
            path.remove_prefix(1);
        }
        out.push_back(static_cast<uint32_t>(v));
    }
    return out;
}

Result<ExtendedKey, std::string> derive_path(const ExtendedKey& root, std::string_view path) {
    auto indices = parse_path(path);
    if (!indices) return indices.error();
    ExtendedKey k = root;
    for (uint32_t i : *indices) {
        auto child = derive_child(k, i);
        if (!child) return child.error();
        k = *child;
    }
    return k;
}

Result<PrivateKey, std::string> derive_ethereum_key(std::string_view mnemonic, uint32_t index,
                                                    std::string_view passphrase) {
    if (index >= kHardened) return std::string("account index must be below 2^31");
    auto seed = mnemonic_to_seed(mnemonic, passphrase);
    if (!seed) return seed.error();
    auto master = master_key(*seed);
    explicit_bzero(seed->data(), seed->size());
    if (!master) return master.error();
    auto account = derive_path(*master, kEthereumAccountPath);
    if (!account) return account.error();
    auto leaf = derive_child(*account, index);
    if (!leaf) return leaf.error();
    return leaf->key;
}

std::vector<DevAccount> dev_accounts(size_t n) {
    // One seed and one walk to m/44'/60'/0'/0, then a step per account.
    auto seed = mnemonic_to_seed(kDevMnemonic);
    auto master = master_key(*seed);
    auto parent = derive_path(*master, kEthereumAccountPath);
    if (!parent) std::abort();  // fixed input, checked by the tests
    std::vector<DevAccount> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        auto child = derive_child(*parent, static_cast<uint32_t>(i));
        if (!child) std::abort();  // none of the dev indices is invalid
        out.push_back(DevAccount{child->key, address_of(child->key)});
    }
    return out;
}

}  // namespace ampd::tx
