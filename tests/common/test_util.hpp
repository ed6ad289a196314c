#ifndef BEDROCK_AGENT_TESTS_COMMON_TEST_UTIL_HPP
#define BEDROCK_AGENT_TESTS_COMMON_TEST_UTIL_HPP

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace test_util {

inline std::filesystem::path shared_dir() { return std::filesystem::path(BEDROCK_AGENT_SHARED_DIR); }

inline std::string read_file(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open test data file " + p.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

/// A temporary directory, removed with everything in it at the end of the test.
struct temp_dir {
    std::filesystem::path path;
    temp_dir()
    {
        static int n = 0;
        path = std::filesystem::temp_directory_path() /
               ("bedrock-agent-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    /// Writes `text` to `name` in the directory and returns its path.
    std::string write(const std::string& name, const std::string& text) const
    {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
    std::string p(const std::string& name) const { return (path / name).string(); }
};

}  // namespace test_util

#endif
