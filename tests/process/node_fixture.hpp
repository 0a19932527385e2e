// A dev node of its own for each test, reached over plain HTTP so that a
// test can send any bytes at all. After the test the node must still
// answer, hold the state it started with (nothing a refused request does
// may change it), and stop cleanly on SIGTERM.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/rpc/client.hpp"
#include "ampd_process.hpp"
#include "support/temp_dir.hpp"

namespace ampd::process_test {

struct HttpReply {
    int status = 0;  // 0: no HTTP answer at all
    std::string body;
    nlohmann::json json;  // discarded unless the body is JSON
};

class RunningNode : public ::testing::Test {
protected:
    // Arguments of the node under test; --http is added.
    virtual std::vector<std::string> node_args() {
        return {"--dev", "--datadir", (dir_ / "chain").string()};
    }

    void SetUp() override {
        node_ = std::make_unique<AmpdProcess>(node_args(), dir_.path());
        ASSERT_NO_THROW(node_->start());
        state_before_ = state_hash();
    }

    void TearDown() override {
        if (!node_) return;
        if (!node_->alive(std::chrono::milliseconds(0))) {
            // A test that saw it die has said so already.
            if (!HasFatalFailure()) {
                ADD_FAILURE() << "ampd died during the test:\n" << node_->log_tail(400);
            }
            return;
        }
        {
            // Closed before the node stops: ampd waits for idle keep-alive
            // connections when it shuts down.
            rpc::JsonRpcClient client(node_->url());
            EXPECT_NO_THROW(client.call("eth_blockNumber")) << node_->log_tail();
        }
        if (!state_may_change_) {
            EXPECT_EQ(state_hash(), state_before_) << "state changed";
        }
        EXPECT_EQ(node_->terminate(), 0) << node_->log_tail();
    }

    [[nodiscard]] std::string state_hash() const {
        rpc::JsonRpcClient client(node_->url());
        return client.call("amp_stateHash")["stateHash"].get<std::string>();
    }

    [[nodiscard]] std::unique_ptr<httplib::Client> http() const {
        auto c = std::make_unique<httplib::Client>(loopback_host(), node_->port());
        c->set_connection_timeout(std::chrono::seconds(5));
        c->set_read_timeout(std::chrono::seconds(30));
        c->set_write_timeout(std::chrono::seconds(30));
        return c;
    }

    // POSTs `body` as it is.
    HttpReply post(const std::string& body,
                   const std::string& content_type = "application/json") const {
        HttpReply r;
        auto res = http()->Post("/", body, content_type);
        if (!res) return r;
        r.status = res->status;
        r.body = res->body;
        r.json = nlohmann::json::parse(res->body, nullptr, false);
        return r;
    }

    // The response object of one call.
    nlohmann::json call(std::string_view method, const nlohmann::json& params) const {
        const nlohmann::json req = {
            {"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", params}};
        const HttpReply r = post(req.dump());
        EXPECT_EQ(r.status, 200) << method << ": " << (r.status == 0 ? "no answer" : r.body);
        return r.json;
    }

    // Expects `method(params)` to fail with `code` and a message containing
    // every one of `parts`; returns the error object.
    nlohmann::json expect_error(std::string_view method, const nlohmann::json& params, int code,
                                std::initializer_list<std::string_view> parts) const {
        const nlohmann::json r = call(method, params);
        const std::string context = std::string(method) + " " + params.dump().substr(0, 200);
        if (!r.is_object() || !r.contains("error")) {
            ADD_FAILURE() << context << ": expected error " << code << ", got " << r.dump();
            return {};
        }
        const nlohmann::json& e = r["error"];
        EXPECT_EQ(r["id"], 7) << context;
        EXPECT_EQ(e["code"], code) << context << ": " << e.dump();
        const std::string message = e.value("message", "");
        for (std::string_view p : parts) {
            EXPECT_NE(message.find(p), std::string::npos)
                << context << ": message \"" << message << "\" lacks \"" << p << "\"";
        }
        return e;
    }

    test_support::TempDir dir_{"ampd-proc"};
    std::unique_ptr<AmpdProcess> node_;
    std::string state_before_;
    // Set by tests that change the state on purpose.
    bool state_may_change_ = false;
};

}  // namespace ampd::process_test
