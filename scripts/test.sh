#!/usr/bin/env bash
# The test command: installs what is missing (Debian 12, as root), configures, builds and runs
# every test through ctest, then runs the unit, I/O, example and command tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer, and the concurrency tests under ThreadSanitizer.
# Fails if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBEDROCK_AGENT_SEPARATE_COMPILATION=ON -DBEDROCK_AGENT_WARNINGS_AS_ERRORS=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# Sanitizers (the same tests; the packaging test is left to the main build).
cmake --preset sanitizers >/dev/null
cmake --build build-sanitizers -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitizers --output-on-failure -j"$jobs" -E packaging

cmake --preset tsan >/dev/null
cmake --build build-tsan -j"$jobs" --target io_tests
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -R 'io\.client-load'

# Fuzzing: every parser of untrusted input, 30 seconds each (tests/fuzz/run.sh SECONDS reruns them).
bash tests/fuzz/run.sh 30

# (set -e stops at the first failing phase, so reaching this line means all four passed)
echo "phases: 4 passed, 0 failed (ctest, ctest under ASan+UBSan, concurrency tests under TSan, fuzzing)"
