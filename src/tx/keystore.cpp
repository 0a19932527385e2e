#include "ampd/tx/keystore.hpp"

#include <cryptopp/aes.h>
#include <cryptopp/misc.h>
#include <cryptopp/modes.h>
#include <cryptopp/pwdbased.h>
#include <cryptopp/scrypt.h>
#include <cryptopp/secblock.h>
#include <cryptopp/sha.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/tx/random.hpp"

namespace ampd::tx {
namespace {

using nlohmann::json;

constexpr size_t kDerivedKeyLen = 32;
constexpr size_t kCipherKeyLen = 16;  // AES-128: the first half of the derived key
constexpr size_t kIvLen = 16;
constexpr size_t kSecretLen = 32;

KeystoreError malformed(const std::string& what) {
    return KeystoreError{KeystoreErrorKind::kMalformed, "malformed keystore: " + what};
}

KeystoreError unsupported(const std::string& what) {
    return KeystoreError{KeystoreErrorKind::kUnsupported, what};
}

const uint8_t* bytes_of(std::string_view s) {
    return reinterpret_cast<const uint8_t*>(s.data());
}

// The rules both directions share, so we never write a file we would refuse
// to read.
std::optional<KeystoreError> check_params(const KdfParams& p) {
    if (p.kdf == Kdf::kPbkdf2) {
        if (p.c == 0 || p.c > kMaxPbkdf2Iterations) {
            return unsupported("pbkdf2 iteration count must be 1 to 2^24, got " +
                               std::to_string(p.c));
        }
        return std::nullopt;
    }
    if (p.n < 2 || (p.n & (p.n - 1)) != 0) {
        return unsupported("scrypt n must be a power of two above 1, got " + std::to_string(p.n));
    }
    if (p.r == 0 || p.p == 0) return unsupported("scrypt r and p must be positive");
    // Bounded by division first, so no product below can overflow: after
    // this n*r <= 2^23 and p < 2^32.
    if (p.n > kMaxScryptMemory / (uint64_t{128} * p.r)) {
        return unsupported("scrypt parameters need more than 1 GiB of memory");
    }
    if (p.n * p.r * p.p > kMaxScryptWork) {
        return unsupported("scrypt parameters exceed the work limit");
    }
    return std::nullopt;
}

// Derives the 32-byte key; Crypto++ reports misuse by exception, which we
// turn into an error value.
std::optional<KeystoreError> derive(const KdfParams& p, std::string_view password, ByteView salt,
                                    CryptoPP::SecByteBlock& out) {
    out.CleanNew(kDerivedKeyLen);
    try {
        if (p.kdf == Kdf::kScrypt) {
            CryptoPP::Scrypt scrypt;
            scrypt.DeriveKey(out.data(), out.size(), bytes_of(password), password.size(),
                             salt.data(), salt.size(), p.n, p.r, p.p);
        } else {
            CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA256> pbkdf2;
            pbkdf2.DeriveKey(out.data(), out.size(), 0, bytes_of(password), password.size(),
                             salt.data(), salt.size(), p.c);
        }
    } catch (const CryptoPP::Exception& e) {
        return unsupported(std::string("key derivation failed: ") + e.what());
    }
    return std::nullopt;
}

// keccak256(derived[16..32] || ciphertext)
Bytes32 mac_of(const CryptoPP::SecByteBlock& derived, ByteView ciphertext) {
    Bytes body(derived.begin() + kCipherKeyLen, derived.end());
    body.insert(body.end(), ciphertext.begin(), ciphertext.end());
    return keccak256(body);
}

// AES-128-CTR is its own inverse.
void aes_ctr(const CryptoPP::SecByteBlock& derived, ByteView iv, ByteView in, uint8_t* out) {
    CryptoPP::CTR_Mode<CryptoPP::AES>::Encryption aes;
    aes.SetKeyWithIV(derived.data(), kCipherKeyLen, iv.data(), iv.size());
    aes.ProcessData(out, in.data(), in.size());
}

std::string plain_hex(ByteView b) {
    std::string s;
    hex::append(s, b);
    return s;
}

std::string uuid_v4(std::array<uint8_t, 16> id) {
    id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
    id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
    const std::string h = plain_hex(id);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20);
}

// ---- Reading fields ---------------------------------------------------------

const json* member(const json& obj, const char* name) {
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> string_field(const json& obj, const char* name) {
    const json* v = member(obj, name);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return v->get<std::string>();
}

std::optional<uint64_t> uint_field(const json& obj, const char* name) {
    const json* v = member(obj, name);
    if (v == nullptr || !v->is_number_unsigned()) return std::nullopt;
    return v->get<uint64_t>();
}

Result<Bytes, KeystoreError> hex_field(const json& obj, const char* name, size_t len) {
    const auto s = string_field(obj, name);
    if (!s) return malformed(std::string("missing ") + name);
    auto b = hex::decode_loose(*s);
    if (!b) return malformed(std::string(name) + " is not hex");
    if (len != 0 && b->size() != len) {
        return malformed(std::string(name) + " must be " + std::to_string(len) + " bytes, got " +
                         std::to_string(b->size()));
    }
    return std::move(*b);
}

Result<KdfParams, KeystoreError> read_kdf(const json& crypto) {
    const auto kdf = string_field(crypto, "kdf");
    if (!kdf) return malformed("missing kdf");
    const json* params = member(crypto, "kdfparams");
    if (params == nullptr || !params->is_object()) return malformed("missing kdfparams");
    const auto dklen = uint_field(*params, "dklen");
    if (!dklen) return malformed("missing dklen");
    if (*dklen != kDerivedKeyLen) {
        return unsupported("unsupported dklen " + std::to_string(*dklen) + " (must be 32)");
    }
    KdfParams p;
    if (*kdf == "scrypt") {
        const auto n = uint_field(*params, "n");
        const auto r = uint_field(*params, "r");
        const auto par = uint_field(*params, "p");
        if (!n || !r || !par) return malformed("scrypt needs unsigned n, r and p");
        if (*r > UINT32_MAX || *par > UINT32_MAX) {
            return unsupported("scrypt parameters exceed the work limit");
        }
        p.kdf = Kdf::kScrypt;
        p.n = *n;
        p.r = static_cast<uint32_t>(*r);
        p.p = static_cast<uint32_t>(*par);
    } else if (*kdf == "pbkdf2") {
        const auto prf = string_field(*params, "prf");
        if (!prf) return malformed("missing prf");
        if (*prf != "hmac-sha256") return unsupported("unsupported prf \"" + *prf + "\"");
        const auto c = uint_field(*params, "c");
        if (!c) return malformed("pbkdf2 needs an unsigned c");
        if (*c > kMaxPbkdf2Iterations) {
            return unsupported("pbkdf2 iteration count must be 1 to 2^24, got " +
                               std::to_string(*c));
        }
        p.kdf = Kdf::kPbkdf2;
        p.c = static_cast<uint32_t>(*c);
    } else {
        return unsupported("unsupported kdf \"" + *kdf + "\"");
    }
    if (auto err = check_params(p)) return *err;
    return p;
}

}  // namespace

Result<std::string, KeystoreError> encrypt_key(const PrivateKey& key, std::string_view password,
                                               const KdfParams& params) {
    KeystoreRandomness rnd;
    os_random(rnd.salt.b);
    os_random(rnd.iv);
    os_random(rnd.id);
    return encrypt_key(key, password, params, rnd);
}

Result<std::string, KeystoreError> encrypt_key(const PrivateKey& key, std::string_view password,
                                               const KdfParams& params,
                                               const KeystoreRandomness& randomness) {
    if (auto err = check_params(params)) return *err;
    CryptoPP::SecByteBlock derived;
    if (auto err = derive(params, password, randomness.salt.b, derived)) return *err;
    std::array<uint8_t, kSecretLen> ciphertext{};
    aes_ctr(derived, randomness.iv, key.bytes().b, ciphertext.data());

    json kdfparams = {{"dklen", kDerivedKeyLen}, {"salt", plain_hex(randomness.salt.b)}};
    if (params.kdf == Kdf::kScrypt) {
        kdfparams["n"] = params.n;
        kdfparams["r"] = params.r;
        kdfparams["p"] = params.p;
    } else {
        kdfparams["c"] = params.c;
        kdfparams["prf"] = "hmac-sha256";
    }
    const json doc = {
        {"address", plain_hex(address_of(key).b)},
        {"crypto",
         {{"cipher", "aes-128-ctr"},
          {"cipherparams", {{"iv", plain_hex(randomness.iv)}}},
          {"ciphertext", plain_hex(ciphertext)},
          {"kdf", params.kdf == Kdf::kScrypt ? "scrypt" : "pbkdf2"},
          {"kdfparams", kdfparams},
          {"mac", plain_hex(mac_of(derived, ciphertext).b)}}},
        {"id", uuid_v4(randomness.id)},
        {"version", 3},
    };
    return doc.dump();
}

Result<PrivateKey, KeystoreError> decrypt_key(std::string_view json_text,
                                              std::string_view password) {
    const json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return malformed("not valid JSON");
    if (!doc.is_object()) return malformed("not a JSON object");
    const auto version = uint_field(doc, "version");
    if (!version) return malformed("missing version");
    if (*version != 3) {
        return unsupported("unsupported keystore version " + std::to_string(*version));
    }
    const json* crypto = member(doc, "crypto");
    if (crypto == nullptr) crypto = member(doc, "Crypto");
    if (crypto == nullptr || !crypto->is_object()) return malformed("missing crypto");

    const auto cipher = string_field(*crypto, "cipher");
    if (!cipher) return malformed("missing cipher");
    if (*cipher != "aes-128-ctr") return unsupported("unsupported cipher \"" + *cipher + "\"");
    const json* cipherparams = member(*crypto, "cipherparams");
    if (cipherparams == nullptr || !cipherparams->is_object()) {
        return malformed("missing cipherparams");
    }
    auto iv = hex_field(*cipherparams, "iv", kIvLen);
    if (!iv) return iv.error();
    auto ciphertext = hex_field(*crypto, "ciphertext", kSecretLen);
    if (!ciphertext) return ciphertext.error();
    auto mac = hex_field(*crypto, "mac", 32);
    if (!mac) return mac.error();
    auto params = read_kdf(*crypto);
    if (!params) return params.error();
    const json* kdfparams = member(*crypto, "kdfparams");
    auto salt = hex_field(*kdfparams, "salt", 0);
    if (!salt) return salt.error();

    CryptoPP::SecByteBlock derived;
    if (auto err = derive(*params, password, *salt, derived)) return *err;
    const Bytes32 expected = mac_of(derived, *ciphertext);
    if (!CryptoPP::VerifyBufsEqual(expected.data(), mac->data(), expected.size())) {
        return KeystoreError{KeystoreErrorKind::kWrongPassword, "wrong password (MAC mismatch)"};
    }
    CryptoPP::SecByteBlock secret(kSecretLen);
    aes_ctr(derived, *iv, *ciphertext, secret.data());
    auto key = PrivateKey::from_bytes(ByteView(secret.data(), secret.size()));
    if (!key) return malformed("decrypted key is not a valid secp256k1 private key");

    if (const auto address = string_field(doc, "address")) {
        auto named = hex::decode_loose(*address);
        if (!named || named->size() != Address::size() ||
            Address::from(*named) != address_of(*key)) {
            return malformed("address does not match the key");
        }
    }
    return *key;
}

}  // namespace ampd::tx
