#ifndef BEDROCK_AGENT_IMPL_INTERNAL_READ_FILE_HPP
#define BEDROCK_AGENT_IMPL_INTERNAL_READ_FILE_HPP

// Reads the small files the library reads (the shared config and credentials files, web identity
// and container token files) with open/fstat/read. Not std::ifstream: a file stream constructs
// std::locale, and the first one makes libstdc++ build every facet of the classic locale, which
// leaves a good part of a megabyte of its pages resident in every process that creates a client. And a bound:
// a path that names something endless (a FIFO, /dev/zero, a runaway file) gets an error that
// names it, not a process that reads forever.

#include <bedrock_agent/detail/config.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <string>
#include <system_error>

namespace bedrock_agent::detail {

enum class read_file_status {
    ok,
    missing,    ///< no such file, or it is not a regular file (a directory, /dev/null, a FIFO)
    failed,     ///< it could not be opened or read (permissions, a symlink loop, I/O): see `why`
    too_large,  ///< it holds more than the limit: see `why`
};

/// Reads the regular file at `path` into `out`, whole, if it holds at most `limit` bytes. `why`
/// names the file and the fault, never its contents.
BEDROCK_AGENT_COLD inline read_file_status read_small_file(const std::string& path, std::size_t limit, std::string& out,
                                                           std::string& why)
{
    out.clear();
    auto fail = [&](int err) {
        why = path + ": " + std::generic_category().message(err);
        return read_file_status::failed;
    };
    // O_NONBLOCK: opening a FIFO with no writer must not wait. Regular files ignore it.
    int fd;
    do fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? read_file_status::missing : fail(errno);
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } guard{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(errno);
    if (!S_ISREG(st.st_mode)) return read_file_status::missing;
    auto too_large = [&] {
        why = path + ": larger than " + std::to_string(limit) + " bytes";
        return read_file_status::too_large;
    };
    if (static_cast<unsigned long long>(st.st_size) > limit) return too_large();
    // The size is a hint (the file may change while it is read): read to end of file, within the limit.
    out.resize(static_cast<std::size_t>(st.st_size) + 1);
    std::size_t have = 0;
    for (;;) {
        if (have == out.size()) {
            if (have > limit) return out.clear(), too_large();
            out.resize(std::min(limit + 1, out.size() * 2));
        }
        ssize_t n = ::read(fd, out.data() + have, out.size() - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            out.clear();
            return fail(err);
        }
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    if (have > limit) return out.clear(), too_large();
    out.resize(have);
    return read_file_status::ok;
}

}  // namespace bedrock_agent::detail

#endif
