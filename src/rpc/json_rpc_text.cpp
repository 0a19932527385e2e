// The dispatcher's text path: bodies made only of plain requests to methods
// with a text form (MethodTable::add_deferred with a TextDeferredHandler),
// read with simdjson's On Demand parser and answered without building JSON
// documents. Anything else, including every malformed body, returns nullopt
// and takes the general path, which alone produces errors about the body's
// shape; so the text path only has to recognise its shape exactly.
#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ampd/rpc/json_rpc.hpp"
#include "json_rpc_internal.hpp"

namespace ampd::rpc {
namespace {

namespace od = simdjson::ondemand;
using json_rpc_internal::dump;
using json_rpc_internal::error_response;
using json_rpc_internal::guarded;

std::string_view trim_right(std::string_view s) {
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

// The contents of a JSON string token that holds printable ASCII only, with
// no escapes: its text is then exactly its value, for both parsers (the
// general path's parser refuses raw control characters; simdjson does not).
//
// A raw transaction is hundreds of characters, so they are checked eight at
// a time (a word's bytes in parallel, with the classic zero-byte test), not
// one by one.
bool plain_chars(std::string_view s) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHighs = 0x8080808080808080ULL;
    // Each test is exact as a whole (a borrow only ever spreads upwards
    // from a byte that matched), which is all a yes/no answer needs.
    const auto any_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    const auto any_below = [](uint64_t x, uint64_t n) { return (x - kOnes * n) & ~x & kHighs; };
    // 0x80 and up, below 0x20, DEL or a backslash. (A quote inside a string
    // token is always escaped, so the backslash stands for it.)
    const auto refused = [&](uint64_t w) {
        return ((w & kHighs) | any_below(w, 0x20) | any_zero(w ^ (kOnes * 0x7f)) |
                any_zero(w ^ (kOnes * '\\'))) != 0;
    };
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w = 0;
        std::memcpy(&w, s.data() + i, 8);
        if (refused(w)) return false;
    }
    // The tail, padded with a plain character.
    uint64_t w = kOnes * 'a';
    if (i < s.size()) std::memcpy(&w, s.data() + i, s.size() - i);
    return !refused(w);
}

std::optional<std::string_view> plain_string(od::value& v) {
    std::string_view raw = trim_right(v.raw_json_token());
    if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
    raw = raw.substr(1, raw.size() - 2);
    if (!plain_chars(raw)) return std::nullopt;
    return raw;
}

// An id the general path would echo with the same text: a plain string, an
// integer of at most 15 digits written canonically, or null.
bool read_id(od::value& v, nlohmann::json& id, std::string_view& text) {
    od::json_type type{};
    if (v.type().get(type)) return false;
    if (type == od::json_type::string) {
        const std::optional<std::string_view> s = plain_string(v);
        if (!s) return false;
        id = std::string(*s);
        text = std::string_view(s->data() - 1, s->size() + 2);  // with its quotes
        return true;
    }
    const std::string_view raw = trim_right(v.raw_json_token());
    if (type == od::json_type::null) {
        if (raw != "null") return false;
        id = nullptr;
        text = raw;
        return true;
    }
    if (type != od::json_type::number) return false;
    const std::string_view digits = raw.substr(raw.starts_with('-') ? 1 : 0);
    if (digits.empty() || digits.size() > 15 || (digits[0] == '0' && raw.size() > 1)) return false;
    for (const char c : digits) {
        if (c < '0' || c > '9') return false;
    }
    int64_t n = 0;
    if (std::from_chars(raw.data(), raw.data() + raw.size(), n).ec != std::errc{}) return false;
    id = n;
    text = raw;
    return true;
}

}  // namespace

bool Dispatcher::read_text_items(std::string_view body, std::vector<TextItem>& items,
                                 bool& batch) const {
    thread_local od::parser parser;
    thread_local std::string padded;
    padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    padded.assign(body);

    od::document doc;
    if (parser.iterate(padded.data(), padded.size(), padded.capacity()).get(doc)) return false;
    od::json_type type{};
    if (doc.type().get(type)) return false;

    const auto read_item = [&](od::value v) {
        od::object obj;
        if (v.get_object().get(obj)) return false;
        TextItem& item = items.emplace_back();
        unsigned seen = 0;
        for (auto member : obj) {
            od::field f;
            if (std::move(member).get(f)) return false;
            std::string_view key;
            if (f.unescaped_key().get(key)) return false;
            od::value& value = f.value();
            unsigned bit = 0;
            if (key == "jsonrpc") {
                bit = 1;
                const std::optional<std::string_view> s = plain_string(value);
                if (!s || *s != "2.0") return false;
            } else if (key == "id") {
                bit = 2;
                if (!read_id(value, item.id, item.id_text)) return false;
            } else if (key == "method") {
                bit = 4;
                const std::optional<std::string_view> s = plain_string(value);
                if (!s) return false;
                item.entry = table_.find(*s);
                if (item.entry == nullptr || !table_.callable(*item.entry) ||
                    !item.entry->text_deferred) {
                    return false;
                }
                item.method = *s;
            } else if (key == "params") {
                bit = 8;
                od::array params;
                if (value.get_array().get(params)) return false;
                size_t n = 0;
                for (auto element : params) {
                    od::value p;
                    if (element.get(p) || ++n > 1) return false;
                    const std::optional<std::string_view> s = plain_string(p);
                    if (!s) return false;
                    item.param = *s;
                }
                if (n != 1) return false;
            } else {
                return false;
            }
            if ((seen & bit) != 0) return false;  // a repeated member
            seen |= bit;
        }
        return seen == 15;
    };

    if (type == od::json_type::object) {
        batch = false;
        od::value v;
        if (doc.get_value().get(v) || !read_item(v)) return false;
    } else if (type == od::json_type::array) {
        batch = true;
        od::array arr;
        if (doc.get_array().get(arr)) return false;
        for (auto element : arr) {
            od::value v;
            if (element.get(v) || items.size() >= config_.max_batch || !read_item(v)) {
                return false;
            }
        }
        if (items.empty()) return false;
    } else {
        return false;
    }
    // Nothing may follow the request or batch.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return false;
    // The views point into the parser's padded copy, which the thread's next
    // body overwrites; the same bytes sit at the same offsets of `body`, which
    // the caller keeps until the items are answered (maybe on another thread).
    const auto rebase = [&](std::string_view& v) {
        if (v.empty()) return;
        v = body.substr(static_cast<size_t>(v.data() - padded.data()), v.size());
    };
    for (TextItem& item : items) {
        rebase(item.id_text);
        rebase(item.method);
        rebase(item.param);
    }
    return true;
}

void Dispatcher::start_text_items(std::vector<TextItem>& items, std::string_view remote,
                                  bool batch) const {
    // As on the general path: every item is started in order, then every
    // item completed in order.
    for (TextItem& item : items) {
        item.started = std::chrono::steady_clock::now();
        const RequestContext ctx{item.method, &item.id, remote, batch};
        try {
            item.completion =
                guarded(item.method, [&] { return item.entry->text_deferred(item.param, ctx); });
            if (!item.completion) {
                spdlog::error("JSON-RPC method {} returned no completion", item.method);
                throw RpcError{errc::kInternalError, "internal error"};
            }
        } catch (const RpcError& e) {
            record(item.method, item.started, true);
            item.response = dump(error_response(item.id, e));
        }
    }
}

std::string Dispatcher::finish_text_items(std::vector<TextItem>& items, bool batch) const {
    for (TextItem& item : items) {
        if (!item.completion) continue;
        const TextCompletion completion = std::move(item.completion);
        item.completion = nullptr;
        try {
            const std::string result = guarded(item.method, completion);
            record(item.method, item.started, false);
            // The general path's member order (nlohmann sorts keys).
            item.response.reserve(item.id_text.size() + result.size() + 32);
            item.response.append(R"({"id":)")
                .append(item.id_text)
                .append(R"(,"jsonrpc":"2.0","result":)")
                .append(result)
                .push_back('}');
        } catch (const RpcError& e) {
            record(item.method, item.started, true);
            item.response = dump(error_response(item.id, e));
        }
    }
    if (!batch) return std::move(items.front().response);
    size_t size = 2;
    for (const TextItem& item : items) size += item.response.size() + 1;
    std::string out;
    out.reserve(size);
    out.push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out.push_back(',');
        out.append(items[i].response);
    }
    out.push_back(']');
    return out;
}

std::optional<std::string> Dispatcher::handle_text(std::string_view body,
                                                   std::string_view remote) const {
    std::vector<TextItem> items;
    bool batch = false;
    if (!read_text_items(body, items, batch)) return std::nullopt;
    if (batch && batch_size_ != nullptr) batch_size_->observe(static_cast<double>(items.size()));
    start_text_items(items, remote, batch);
    return finish_text_items(items, batch);
}

}  // namespace ampd::rpc
