#include "ampd/cli/values.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

#include "ampd/cli/errors.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::cli {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Says what is wrong with an amount that is not digits[.digits].
std::string amount_problem(std::string_view text, bool raw) {
    if (text.empty()) return "empty";
    if (text.front() == '-') return "negative amounts are not allowed";
    if (text.front() == '+') return "write the number without a sign";
    if (text.find_first_of("eE") != std::string_view::npos) return "exponents are not allowed";
    if (text.find_first_of(",_' ") != std::string_view::npos) {
        return "write the number without separators or spaces";
    }
    if (raw && text.find('.') != std::string_view::npos) {
        return "with --raw the amount is a whole number of base units";
    }
    return "expected a decimal number such as 12.5";
}

UsageError bad(std::string_view what, std::string_view text, std::string_view problem) {
    return UsageError(fmt::format("{} \"{}\": {}", what, text, problem));
}

}  // namespace

u256 parse_amount(std::string_view text, bool raw, std::string_view what) {
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    const bool shape_ok =
        all_digits(whole) && (dot == std::string_view::npos || (!raw && all_digits(frac)));
    if (!shape_ok) throw bad(what, text, amount_problem(text, raw));
    if (frac.size() > kAmpDecimals) {
        throw bad(what, text,
                  fmt::format("AMP has {} decimals; {} fractional digits given", kAmpDecimals,
                              frac.size()));
    }
    // The digits with the fraction padded to 18 places are the base units.
    std::string digits(whole);
    if (!raw) {
        digits += frac;
        digits.append(kAmpDecimals - frac.size(), '0');
    }
    const std::optional<u256> v = u256::from_dec(digits);
    if (!v) throw bad(what, text, "too large (the most is 2^256-1 base units)");
    return *v;
}

std::string format_amount(const u256& base_units) {
    std::string digits = base_units.to_dec();
    if (digits.size() <= kAmpDecimals) digits.insert(0, kAmpDecimals + 1 - digits.size(), '0');
    std::string whole = digits.substr(0, digits.size() - kAmpDecimals);
    std::string frac = digits.substr(digits.size() - kAmpDecimals);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    return frac.empty() ? whole : whole + "." + frac;
}

std::string checksum_address(const Address& a) {
    std::string lower;
    hex::append(lower, ByteView(a.b));
    const Bytes32 h = keccak256(std::string_view(lower));
    std::string out = "0x";
    for (size_t i = 0; i < lower.size(); ++i) {
        const uint8_t nibble = (i % 2 == 0) ? (h.b[i / 2] >> 4) : (h.b[i / 2] & 0x0f);
        const char c = lower[i];
        out += (nibble >= 8 && c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    return out;
}

Address parse_address(std::string_view text, std::string_view what) {
    const std::optional<Address> a = Address::from_hex(text);
    if (!a) throw bad(what, text, "expected 0x followed by 40 hex digits");
    const std::string_view digits = text.substr(2);
    const bool has_lower =
        std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
    const bool has_upper =
        std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
    if (has_lower && has_upper && checksum_address(*a).substr(2) != digits) {
        throw bad(what, text,
                  fmt::format("mixed-case address with a wrong EIP-55 checksum (expected {})",
                              checksum_address(*a)));
    }
    return *a;
}

Bytes32 parse_partition(std::string_view text, std::string_view what) {
    if (text == "default") return Bytes32{};
    const std::optional<Bytes32> p = Bytes32::from_hex(text);
    if (!p) throw bad(what, text, "expected \"default\" or 0x followed by 64 hex digits");
    return *p;
}

std::string format_partition(const Bytes32& p) {
    return p.is_zero() ? "default" : p.hex();
}

uint64_t parse_u64(std::string_view text, std::string_view what) {
    const std::optional<u256> v = all_digits(text) ? u256::from_dec(text) : std::nullopt;
    if (!v || !v->fits_u64()) throw bad(what, text, "expected a whole number below 2^64");
    return v->w[0];
}

Bytes32 parse_hash(std::string_view text, std::string_view what) {
    const std::optional<Bytes32> h = Bytes32::from_hex(text);
    if (!h) throw bad(what, text, "expected 0x followed by 64 hex digits");
    return *h;
}

}  // namespace ampd::cli
