// Transactions signed by ethers 6.17.0 (Transaction + SigningKey) with the
// Hardhat/Anvil dev mnemonic's keys: the expected wire bytes, hashes,
// signatures and senders that ampd must reproduce byte for byte. Generated
// once outside the repository; these literals are the test data.
#pragma once

#include <cstdint>

namespace ampd::tx::test_vectors {

struct EthersTx {
    const char* name;
    int key_index;  // dev account index (m/44'/60'/0'/0/i)
    const char* sender;
    // Fields. Integers in decimal; to is "" for contract creation.
    int type;
    const char* chain_id;  // "0": legacy without EIP-155
    const char* nonce;
    const char* gas_price;
    const char* max_priority_fee_per_gas;
    const char* max_fee_per_gas;
    const char* gas_limit;
    const char* to;
    const char* value;
    const char* data;
    bool amp_access_list;  // the two-entry list of kAmpAccessList, else empty
    // Expectations.
    const char* signing_hash;
    const char* raw;
    const char* hash;
    const char* r;
    const char* s;
    int y_parity;
};

// [{Amp token, [slot 3, one more key]}, {dev account 1, []}]
inline constexpr const char* kAmpAccessListAddress0 = "0xff20817765cb7f73d4bde2e66e067e58d11095c2";
inline constexpr const char* kAmpAccessListKeys0[] = {
    "0x0000000000000000000000000000000000000000000000000000000000000003",
    "0x8e7a7b2a0d7f8f4b5a4a6dbb1f7a1f5b4e6a2c3d9e0f1a2b3c4d5e6f7a8b9c0d"};
inline constexpr const char* kAmpAccessListAddress1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

inline constexpr EthersTx kEthersTxs[] = {
    {.name = "legacy_155_31337_transfer",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 0,
     .chain_id = "31337",
     .nonce = "0",
     .gas_price = "1000000000",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "0",
     .gas_limit = "21000",
     .to = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
     .value = "1000000000000000000",
     .data = "0x",
     .amp_access_list = false,
     .signing_hash = "0x2dc8fed10700326a5ede0910ef33a33748ae5962996b285ae7d53bb19092333d",
     .raw = "0xf86d80843b9aca008252089470997970c51812dc3a010c7d01b50e0d17dc79c8880de0b6b3a764000080"
            "82f4f6a048e276f9863b8deaf55a72a6676fb79c1e9cd810d076cf3626a5bfa7654cdc34a072ebb69d43e5"
            "0a42a3789d86c2737ace4824b6033e39be9484c95e440b306957",
     .hash = "0x83013928e84493ed2eed3b3dcadf95896c85dcb68b9c661fec7f54d77ca31b1b",
     .r = "0x48e276f9863b8deaf55a72a6676fb79c1e9cd810d076cf3626a5bfa7654cdc34",
     .s = "0x72ebb69d43e50a42a3789d86c2737ace4824b6033e39be9484c95e440b306957",
     .y_parity = 1},
    {.name = "legacy_155_1_create",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 0,
     .chain_id = "1",
     .nonce = "7",
     .gas_price = "20000000000",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "0",
     .gas_limit = "1000000",
     .to = "",
     .value = "0",
     .data = "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe6080604052600080fdfea1647"
             "36f6c6343000813000a",
     .amp_access_list = false,
     .signing_hash = "0xdfd67c883ea82892f0d4456fd23b5ce4a3b9a252e00f21baac6ac92f0dcb1ec6",
     .raw = "0xf884078504a817c800830f42408080b36080604052348015600f57600080fd5b50603f80601d60003960"
            "00f3fe6080604052600080fdfea164736f6c6343000813000a26a0662dd800f0813ba26c681d890dececbb"
            "98ff04af4539cd88f94b20da24ecfa3da041fe2c703881ef4de1ad145e74dac3114c1e95ded6218894a4b9"
            "99065ef58c0a",
     .hash = "0x7cc470413c6b49cc7c149c86dafd008a931ef4c9c5e133ac20da142d2ca17440",
     .r = "0x662dd800f0813ba26c681d890dececbb98ff04af4539cd88f94b20da24ecfa3d",
     .s = "0x41fe2c703881ef4de1ad145e74dac3114c1e95ded6218894a4b999065ef58c0a",
     .y_parity = 1},
    {.name = "legacy_pre155_call",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 0,
     .chain_id = "0",
     .nonce = "1",
     .gas_price = "1000000000",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "0",
     .gas_limit = "50000",
     .to = "0xff20817765cb7f73d4bde2e66e067e58d11095c2",
     .value = "123",
     .data = "0xdeadbeef",
     .amp_access_list = false,
     .signing_hash = "0x6a9fbc1c8ee98ea2c9b031a18da1d9ed98512145c120ca073e510f8d7820a530",
     .raw = "0xf86701843b9aca0082c35094ff20817765cb7f73d4bde2e66e067e58d11095c27b84deadbeef1ba0aca9"
            "67902df445d023dbfca4a683994f06451d1309888f7a04241f9e6acf0bcfa02138b84a7b07ccbdfcfac79e"
            "62b51e8534c258a7862e8abfef64312495ad3225",
     .hash = "0x31d4ac6cb11f714d9d9a065d43e0b0566f42b1bfbb6fcb2c100cbedba0aac19c",
     .r = "0xaca967902df445d023dbfca4a683994f06451d1309888f7a04241f9e6acf0bcf",
     .s = "0x2138b84a7b07ccbdfcfac79e62b51e8534c258a7862e8abfef64312495ad3225",
     .y_parity = 0},
    {.name = "legacy_155_bigchain",
     .key_index = 1,
     .sender = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
     .type = 0,
     .chain_id = "4294967295",
     .nonce = "300",
     .gas_price = "0",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "0",
     .gas_limit = "21000",
     .to = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .value = "1",
     .data = "0x",
     .amp_access_list = false,
     .signing_hash = "0x38a31feb2f6873acbb25f8bb59b35beac0389e21714f8ae4ad9fa7dd8a4e1a2c",
     .raw = "0xf86682012c8082520894f39fd6e51aad88f6f4ce6ab8827279cfffb922660180850200000021a08753af"
            "6816abdd87d0ee535efd37190d98cad63e2373b42d2a40e62d5374001fa02db7ab4bdd48ca7b8e23e73f6d"
            "daa25be8f00d730887f4f80e2848564c19daa0",
     .hash = "0x8452c2c75859d8cddb3b093ea85aa0d52d8137f0cc414cb437f9d3cad9402899",
     .r = "0x8753af6816abdd87d0ee535efd37190d98cad63e2373b42d2a40e62d5374001f",
     .s = "0x2db7ab4bdd48ca7b8e23e73f6ddaa25be8f00d730887f4f80e2848564c19daa0",
     .y_parity = 0},
    {.name = "eip2930_31337_call_al",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 1,
     .chain_id = "31337",
     .nonce = "2",
     .gas_price = "2000000000",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "0",
     .gas_limit = "60000",
     .to = "0xff20817765cb7f73d4bde2e66e067e58d11095c2",
     .value = "0",
     .data = "0xa9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000"
             "00000000000000000000000000000000000000de0b6b3a7640000",
     .amp_access_list = true,
     .signing_hash = "0x5ae906b29ebe8afba37eaa2771d95346679d2c729b5cc13ac44229190d39af12",
     .raw = "0x01f9011f827a6902847735940082ea6094ff20817765cb7f73d4bde2e66e067e58d11095c280b844a905"
            "9cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8000000000000000000"
            "0000000000000000000000000000000de0b6b3a7640000f872f85994ff20817765cb7f73d4bde2e66e067e"
            "58d11095c2f842a00000000000000000000000000000000000000000000000000000000000000003a08e7a"
            "7b2a0d7f8f4b5a4a6dbb1f7a1f5b4e6a2c3d9e0f1a2b3c4d5e6f7a8b9c0dd69470997970c51812dc3a010c"
            "7d01b50e0d17dc79c8c080a0d7b026ecf0c4cea8e45f4b352234f0ff4e3e4a05a46350f96b42328ffbb5b0"
            "c7a0350cea925909ff415744079f3090d164835a1cf133ed54e99821f9f78909e7ae",
     .hash = "0x61e96545623748705b37c9255307a2fff9f1ef963979b85799054cc44a64190b",
     .r = "0xd7b026ecf0c4cea8e45f4b352234f0ff4e3e4a05a46350f96b42328ffbb5b0c7",
     .s = "0x350cea925909ff415744079f3090d164835a1cf133ed54e99821f9f78909e7ae",
     .y_parity = 0},
    {.name = "eip2930_1_create",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 1,
     .chain_id = "1",
     .nonce = "0",
     .gas_price = "3000000000",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "0",
     .gas_limit = "200000",
     .to = "",
     .value = "0",
     .data = "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe6080604052600080fdfea1647"
             "36f6c6343000813000a",
     .amp_access_list = false,
     .signing_hash = "0x70e0fbfb8855b9b88027cee4cd597450ea89dc194703d19b072bec382cca2915",
     .raw = "0x01f885018084b2d05e0083030d408080b36080604052348015600f57600080fd5b50603f80601d600039"
            "6000f3fe6080604052600080fdfea164736f6c6343000813000ac080a03f98c0f26e4e32a0e97c0915aff4"
            "7620e688c55df7a062045158cbf1bc34bcfaa068cdc0fde3dbfa11ad03f3d3e34375212b613cc135811a5a"
            "b423d60873bddf2a",
     .hash = "0x782ecd14f310ef5d8fc4d39722396c8cc28fd423d58104e03a27a2ca41293560",
     .r = "0x3f98c0f26e4e32a0e97c0915aff47620e688c55df7a062045158cbf1bc34bcfa",
     .s = "0x68cdc0fde3dbfa11ad03f3d3e34375212b613cc135811a5ab423d60873bddf2a",
     .y_parity = 0},
    {.name = "eip1559_31337_call_al",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 2,
     .chain_id = "31337",
     .nonce = "3",
     .gas_price = "0",
     .max_priority_fee_per_gas = "1000000000",
     .max_fee_per_gas = "30000000000",
     .gas_limit = "100000",
     .to = "0xff20817765cb7f73d4bde2e66e067e58d11095c2",
     .value = "5",
     .data = "0xa9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000"
             "00000000000000000000000000000000000000de0b6b3a7640000",
     .amp_access_list = true,
     .signing_hash = "0xd496f7228ed166ec3503ef850183f71999df75c4faba75c5f873787da0743080",
     .raw = "0x02f90126827a6903843b9aca008506fc23ac00830186a094ff20817765cb7f73d4bde2e66e067e58d110"
            "95c205b844a9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c80000"
            "000000000000000000000000000000000000000000000de0b6b3a7640000f872f85994ff20817765cb7f73"
            "d4bde2e66e067e58d11095c2f842a000000000000000000000000000000000000000000000000000000000"
            "00000003a08e7a7b2a0d7f8f4b5a4a6dbb1f7a1f5b4e6a2c3d9e0f1a2b3c4d5e6f7a8b9c0dd69470997970"
            "c51812dc3a010c7d01b50e0d17dc79c8c001a03c9708640b103ee2399a9f611a750fcb7b92e5219e0818f6"
            "27252fe4b9056c9da01e5a962a259dbb4e9784ac2f00453580a762134ace0d7f29cb5cd4854cbb4128",
     .hash = "0x89e729183ec1c17f9c66272a5063d246f5d851e763c4e929902c72a42b4b9fdf",
     .r = "0x3c9708640b103ee2399a9f611a750fcb7b92e5219e0818f627252fe4b9056c9d",
     .s = "0x1e5a962a259dbb4e9784ac2f00453580a762134ace0d7f29cb5cd4854cbb4128",
     .y_parity = 1},
    {.name = "eip1559_1_create_key1",
     .key_index = 1,
     .sender = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
     .type = 2,
     .chain_id = "1",
     .nonce = "0",
     .gas_price = "0",
     .max_priority_fee_per_gas = "0",
     .max_fee_per_gas = "1",
     .gas_limit = "53000",
     .to = "",
     .value = "0",
     .data = "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe6080604052600080fdfea1647"
             "36f6c6343000813000a",
     .amp_access_list = false,
     .signing_hash = "0x236940ec08bc75a6cefbfea74c039ce317e9a0629d94413fd01362e3ca61e1e8",
     .raw =
         "0x02f8810180800182cf088080b36080604052348015600f57600080fd5b50603f80601d6000396000f3fe608"
         "0604052600080fdfea164736f6c6343000813000ac080a072933c5e38481c2ca9e9f5dd0d4a26626bf7e516ae"
         "8d38b42d408eed44e9563ca033ee6c1e744ac788be2e4cec7b2a8603e66fc24893651bee2a6be438be742563",
     .hash = "0xad7820e33a64b33a5fd2751b39fde090bd06adb354ac04d9d387a5bc94438e94",
     .r = "0x72933c5e38481c2ca9e9f5dd0d4a26626bf7e516ae8d38b42d408eed44e9563c",
     .s = "0x33ee6c1e744ac788be2e4cec7b2a8603e66fc24893651bee2a6be438be742563",
     .y_parity = 0},
    {.name = "eip1559_31337_transfer",
     .key_index = 0,
     .sender = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
     .type = 2,
     .chain_id = "31337",
     .nonce = "1",
     .gas_price = "0",
     .max_priority_fee_per_gas = "1500000000",
     .max_fee_per_gas = "2000000000",
     .gas_limit = "21000",
     .to = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
     .value = "100000000000000000",
     .data = "0x",
     .amp_access_list = false,
     .signing_hash = "0xedc0c6a592f2e46a107948df885777e88b13f4832b8df5653a01465782477e29",
     .raw = "0x02f874827a69018459682f0084773594008252089470997970c51812dc3a010c7d01b50e0d17dc79c888"
            "016345785d8a000080c080a056b3358a0cedc608f5075ad3243cd3b7d6e8799eaed7d53f188dbc59e5e0d8"
            "eea0526f3c0dd74f6c10f87dc5e830b3d9feb9f68fe537bf973d18214c92e28805ae",
     .hash = "0x7ed5c324eae0d97cff01b31523e3f9e5889069b5ca4c1070d6e529b248e9f7c8",
     .r = "0x56b3358a0cedc608f5075ad3243cd3b7d6e8799eaed7d53f188dbc59e5e0d8ee",
     .s = "0x526f3c0dd74f6c10f87dc5e830b3d9feb9f68fe537bf973d18214c92e28805ae",
     .y_parity = 0},
    {.name = "eip1559_extremes",
     .key_index = 2,
     .sender = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
     .type = 2,
     .chain_id = "18446744073709551615",
     .nonce = "9007199254740991",
     .gas_price = "0",
     .max_priority_fee_per_gas =
         "57896044618658097711785492504343953926634992332820282019728792003956564819968",
     .max_fee_per_gas =
         "115792089237316195423570985008687907853269984665640564039457584007913129639935",
     .gas_limit = "18446744073709551615",
     .to = "0x0000000000000000000000000000000000000000",
     .value = "115792089237316195423570985008687907853269984665640564039457584007913129639935",
     .data = "0x00",
     .amp_access_list = false,
     .signing_hash = "0xcacb12b024be73f43e5fa267d2a4083b2426a114ee1add8fb9791d37f04300cf",
     .raw =
         "0x02f8d788ffffffffffffffff871fffffffffffffa0800000000000000000000000000000000000000000000"
         "0000000000000000000a0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff88ff"
         "ffffffffffffff940000000000000000000000000000000000000000a0fffffffffffffffffffffffffffffff"
         "fffffffffffffffffffffffffffffffff00c080a09924b0586850c63579ffd04008a86c806812ff9dd056a101"
         "4643cc6629710721a069c11f27a5325eaf1d144887f789b0c6cf0f757da5e12b42b84be2fde1a46cbf",
     .hash = "0x72eb787b3a1e629d3b083f5200514f9308329616da3f2f8b99c175a9160cb22d",
     .r = "0x9924b0586850c63579ffd04008a86c806812ff9dd056a1014643cc6629710721",
     .s = "0x69c11f27a5325eaf1d144887f789b0c6cf0f757da5e12b42b84be2fde1a46cbf",
     .y_parity = 0},
};

struct DevAccount {
    const char* address;  // EIP-55 checksummed, as ethers prints it
    const char* key;
};
// m/44'/60'/0'/0/i of "test test ... junk", i = 0..19.
inline constexpr DevAccount kDevAccounts[] = {
    {"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
     "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"},
    {"0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
     "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"},
    {"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
     "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"},
    {"0x90F79bf6EB2c4f870365E785982E1f101E93b906",
     "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"},
    {"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
     "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"},
    {"0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
     "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"},
    {"0x976EA74026E726554dB657fA54763abd0C3a0aa9",
     "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"},
    {"0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
     "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"},
    {"0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
     "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97"},
    {"0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
     "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"},
    {"0xBcd4042DE499D14e55001CcbB24a551F3b954096",
     "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897"},
    {"0x71bE63f3384f5fb98995898A86B02Fb2426c5788",
     "0x701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82"},
    {"0xFABB0ac9d68B0B445fB7357272Ff202C5651694a",
     "0xa267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1"},
    {"0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec",
     "0x47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd"},
    {"0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097",
     "0xc526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa"},
    {"0xcd3B766CCDd6AE721141F452C550Ca635964ce71",
     "0x8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61"},
    {"0x2546BcD3c84621e976D8185a91A922aE77ECEc30",
     "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0"},
    {"0xbDA5747bFD65F08deb54cb465eB87D40e51B197E",
     "0x689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd"},
    {"0xdD2FD4581271e230360230F9337D5c0430Bf44C0",
     "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0"},
    {"0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199",
     "0xdf57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e"},
};

struct CreateAddress {
    const char* from;
    uint64_t nonce;
    const char* address;
};
// ethers getCreateAddress.
inline constexpr CreateAddress kCreateAddresses[] = {
    {"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 0, "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
    {"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 1, "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"},
    {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 300,
     "0xc37aae17fd59b4cc68662d4681e943e629412576"},
    {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 70000,
     "0xb0330a23e7fe4eda848a1b35a9cd9c804babd209"},
};

// ethers encryptKeystoreJsonSync(dev key 0, "hunter2", {scrypt N=1024 r=8 p=1,
// fixed salt, iv and uuid}).
inline constexpr const char* kEthersKeystore =
    R"json({"address":"f39fd6e51aad88f6f4ce6ab8827279cfffb92266","id":"00112233-4455-4677-8899)json"
    R"json(-aabbccddeeff","version":3,"Crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"a)json"
    R"json(0a1a2a3a4a5a6a7a8a9aaabacadaeaf"},"ciphertext":"336cf4cc4e8d01a28b20ee98d5d397db9c2)json"
    R"json(4be95d5ae055b224caae68cab2732","kdf":"scrypt","kdfparams":{"salt":"0102030405060708)json"
    R"json(090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20","n":1024,"dklen":32,"p":1,"r":8},)json"
    R"json("mac":"a9c5dc13db34cf4f5fa4ca8cb72ce2d5cbbd2debbadaf2ab349d53a404dcd5ad"}})json";

}  // namespace ampd::tx::test_vectors
