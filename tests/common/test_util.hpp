#ifndef BEDROCK_AGENT_TESTS_COMMON_TEST_UTIL_HPP
#define BEDROCK_AGENT_TESTS_COMMON_TEST_UTIL_HPP

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

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

}  // namespace test_util

#endif
