#include "ampd/cli/password.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "ampd/cli/errors.hpp"
#include "support/temp_dir.hpp"

namespace ampd::cli {
namespace {

using test_support::TempDir;

Env env_with(std::optional<std::string> password) {
    return [=](const std::string& n) -> std::optional<std::string> {
        return n == "AMP_PASSWORD" ? password : std::nullopt;
    };
}

// A prompt that answers from a script and records the questions.
struct ScriptedPrompt {
    std::vector<std::string> answers;
    std::vector<std::string> questions;
    Prompt prompt() {
        return [this](const std::string& q) -> std::optional<std::string> {
            questions.push_back(q);
            if (answers.empty()) return std::nullopt;
            std::string a = answers.front();
            answers.erase(answers.begin());
            return a;
        };
    }
};

TEST(Password, FileWinsAndOnlyItsFirstLineCounts) {
    TempDir tmp("ampd-cli-pw");
    std::ofstream(tmp / "pw") << "s3cret  \r\nsecond line\n";
    ScriptedPrompt p;
    EXPECT_EQ(
        obtain_password({(tmp / "pw").string(), "key \"a\"", false}, env_with("env"), p.prompt()),
        "s3cret  ");
    EXPECT_TRUE(p.questions.empty());
    EXPECT_THROW(
        (void)obtain_password({(tmp / "missing").string(), "key", false}, env_with({}), p.prompt()),
        CommandError);
}

TEST(Password, EnvironmentBeforePrompt) {
    ScriptedPrompt p;
    EXPECT_EQ(obtain_password({"", "key", false}, env_with("from-env"), p.prompt()), "from-env");
    EXPECT_TRUE(p.questions.empty());
}

TEST(Password, PromptsAndConfirmsANewPassword) {
    ScriptedPrompt p{{"pw1", "pw1"}, {}};
    EXPECT_EQ(obtain_password({"", "new key \"a\"", true}, env_with({}), p.prompt()), "pw1");
    ASSERT_EQ(p.questions.size(), 2U);
    EXPECT_EQ(p.questions[0], "Password for new key \"a\": ");

    ScriptedPrompt mismatch{{"pw1", "pw2"}, {}};
    try {
        (void)obtain_password({"", "new key", true}, env_with({}), mismatch.prompt());
        FAIL();
    } catch (const CommandError& e) {
        EXPECT_EQ(std::string(e.what()), "the passwords do not match");
    }
}

TEST(Password, RefusesAnEmptyPasswordForANewKey) {
    ScriptedPrompt p{{""}, {}};
    EXPECT_THROW((void)obtain_password({"", "new key", true}, env_with({}), p.prompt()),
                 CommandError);
    // An existing key may have one.
    ScriptedPrompt q{{""}, {}};
    EXPECT_EQ(obtain_password({"", "key", false}, env_with({}), q.prompt()), "");
}

TEST(Password, WithoutAnySourceSaysWhereOneCanComeFrom) {
    ScriptedPrompt nobody;
    try {
        (void)obtain_password({"", "key \"a\"", false}, env_with({}), nobody.prompt());
        FAIL();
    } catch (const CommandError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("--password-file"), std::string::npos);
        EXPECT_NE(m.find("AMP_PASSWORD"), std::string::npos);
    }
}

}  // namespace
}  // namespace ampd::cli
