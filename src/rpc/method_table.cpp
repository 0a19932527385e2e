#include "ampd/rpc/method_table.hpp"

#include <stdexcept>

namespace ampd::rpc {

MethodTable& MethodTable::add(std::string name, Handler handler) {
    return insert(std::move(name), Entry{std::move(handler), {}, false, {}});
}

MethodTable& MethodTable::add_quick(std::string name, Handler handler) {
    return insert(std::move(name), Entry{std::move(handler), {}, false, {}, true});
}

MethodTable& MethodTable::add_dev(std::string name, Handler handler) {
    return insert(std::move(name), Entry{std::move(handler), {}, true, {}});
}

MethodTable& MethodTable::add_deferred(std::string name, DeferredHandler handler) {
    return insert(std::move(name), Entry{{}, std::move(handler), false, {}});
}

MethodTable& MethodTable::add_deferred(std::string name, DeferredHandler handler,
                                       TextDeferredHandler text_form) {
    if (!text_form) throw std::invalid_argument("JSON-RPC method " + name + " has no text form");
    return insert(std::move(name), Entry{{}, std::move(handler), false, std::move(text_form)});
}

MethodTable& MethodTable::insert(std::string name, Entry entry) {
    if (name.empty()) throw std::invalid_argument("JSON-RPC method name is empty");
    if (!entry.handler && !entry.deferred) {
        throw std::invalid_argument("JSON-RPC method " + name + " has no handler");
    }
    const auto [it, inserted] = methods_.try_emplace(name, std::move(entry));
    if (!inserted) throw std::invalid_argument("JSON-RPC method " + name + " registered twice");
    return *this;
}

const MethodTable::Entry* MethodTable::find(std::string_view name) const {
    const auto it = methods_.find(name);
    return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::callable_names() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : methods_) {
        if (callable(entry)) names.push_back(name);
    }
    return names;
}

}  // namespace ampd::rpc
