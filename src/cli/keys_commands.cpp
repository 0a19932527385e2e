// amp keys new|import|address|list: the local key store.
#include <fmt/core.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/key_store.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/tx/hd_wallet.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

struct ImportArgs {
    std::string name;
    std::string private_key_file;
    std::string mnemonic_file;
    std::string index = "0";
};

std::string read_secret_file(const std::string& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError(fmt::format("cannot read {} {}", what, path));
    std::ostringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    // Surrounding whitespace (the final newline of an editor) is not part of it.
    const size_t first = text.find_first_not_of(" \t\r\n");
    const size_t last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

int print_key(Context& ctx, const StoredKey& k) {
    if (ctx.json()) {
        ctx.out() << json{{"name", k.name}, {"address", k.address.hex()}, {"path", k.path.string()}}
                         .dump()
                  << "\n";
    } else {
        ctx.out() << fmt::format("{} {}\n", k.name, checksum_address(k.address));
    }
    return exit_code::kOk;
}

StoredKey store_new(Context& ctx, const std::string& name, const tx::PrivateKey& key) {
    const KeyStore store = ctx.keystore();
    KeyStore::check_name(name);
    // Ask for the password only for a name that is free.
    std::error_code ec;
    if (std::filesystem::exists(store.dir() / (name + ".json"), ec)) {
        throw CommandError(
            fmt::format("a key named \"{}\" already exists in {}", name, store.dir().string()));
    }
    const std::string password = obtain_password(
        PasswordRequest{ctx.options().password_file, fmt::format("new key \"{}\"", name), true},
        ctx.io().env, ctx.io().prompt);
    return store.add(name, key, password, ctx.io().kdf);
}

tx::PrivateKey imported_key(const ImportArgs& a) {
    if (!a.private_key_file.empty()) {
        const std::string hex = read_secret_file(a.private_key_file, "private key file");
        auto key = tx::PrivateKey::from_hex(hex);
        if (!key) {
            throw UsageError(fmt::format(
                "{}: expected a private key as 64 hex digits (0x optional), below the curve order",
                a.private_key_file));
        }
        return *key;
    }
    const uint64_t index = parse_u64(a.index, "--index");
    if (index >= tx::kHardened) throw UsageError("--index must be below 2^31");
    const std::string mnemonic = read_secret_file(a.mnemonic_file, "mnemonic file");
    auto key = tx::derive_ethereum_key(mnemonic, static_cast<uint32_t>(index));
    if (!key) throw UsageError(fmt::format("{}: {}", a.mnemonic_file, key.error()));
    return *key;
}

}  // namespace

void add_keys_commands(CLI::App& app, std::shared_ptr<Runner> runner) {
    CLI::App* keys = app.add_subcommand("keys", "Manage the local key store (encrypted key files)");
    keys->require_subcommand(1);

    auto new_name = std::make_shared<std::string>();
    CLI::App* create = keys->add_subcommand(
        "new", "Generate a key with the OS random generator and store it encrypted (scrypt)");
    create->add_option("name", *new_name, "Name of the new key")->required();
    create->callback(runner->command([new_name](Context& ctx) {
        return print_key(ctx, store_new(ctx, *new_name, tx::generate_private_key()));
    }));

    auto imp = std::make_shared<ImportArgs>();
    CLI::App* import = keys->add_subcommand(
        "import", "Store an existing private key, or an account of a BIP-39 mnemonic");
    import->add_option("name", imp->name, "Name of the new key")->required();
    auto* pk = import->add_option("--private-key-file", imp->private_key_file,
                                  "file holding the private key (64 hex digits)");
    auto* mn =
        import->add_option("--mnemonic-file", imp->mnemonic_file, "file holding a BIP-39 mnemonic");
    auto* idx = import
                    ->add_option("--index", imp->index,
                                 "with --mnemonic-file: account index N of m/44'/60'/0'/0/N")
                    ->capture_default_str();
    pk->excludes(mn);
    idx->needs(mn);
    import->callback(runner->command([imp](Context& ctx) {
        if (imp->private_key_file.empty() && imp->mnemonic_file.empty()) {
            throw UsageError("give --private-key-file FILE or --mnemonic-file FILE");
}
return print_key(ctx, store_new(ctx, imp->name, imported_key(*imp)));
}  // namespace ampd::cli
));

auto show_name = std::make_shared<std::string>();
CLI::App* address = keys->add_subcommand("address", "Print the address of a stored key");
address->add_option("name", *show_name, "Key name")->required();
address->callback(runner->command([show_name](Context& ctx) {
    return print_key(ctx, ctx.keystore().find(*show_name));
}));

CLI::App* list = keys->add_subcommand("list", "List the stored keys and their addresses");
list->callback(runner->command([](Context& ctx) {
    const KeyStore store = ctx.keystore();
    const std::vector<StoredKey> all = store.list();
    if (ctx.json()) {
        json out = json::array();
        for (const StoredKey& k : all) {
            out.push_back(
                {{"name", k.name}, {"address", k.address.hex()}, {"path", k.path.string()}});
        }
        ctx.out() << json{{"keystore", store.dir().string()}, {"keys", out}}.dump() << "\n";
    } else if (all.empty()) {
        ctx.out() << fmt::format("no keys in {}\n", store.dir().string());
    } else {
        for (const StoredKey& k : all) {
            ctx.out() << fmt::format("{:<20} {}\n", k.name, checksum_address(k.address));
        }
    }
    return exit_code::kOk;
}));
}

}  // namespace ampd::cli
