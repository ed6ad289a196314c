#!/usr/bin/env bash
# The test command: installs what is missing (Debian 12, as root), configures, builds and runs
# every test through ctest. Fails if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBEDROCK_AGENT_SEPARATE_COMPILATION=ON -DBEDROCK_AGENT_WARNINGS_AS_ERRORS=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
