#!/usr/bin/env bash
# Installs the project into a temporary prefix, then builds and runs a consumer project with
# find_package, and once more with add_subdirectory. Usage: consumer_test.sh SOURCE_DIR
set -euo pipefail
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$src" -B "$work/build" -G Ninja -DBEDROCK_AGENT_BUILD_TESTS=OFF -DBEDROCK_AGENT_BUILD_EXAMPLES=OFF \
  -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
cmake --install "$work/build" >/dev/null
test -x "$work/prefix/bin/bedrock-agent" && test -x "$work/prefix/bin/bedrock-agent-local"
cmake -S "$src/tests/consumer" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer"
cmake -S "$src/tests/consumer" -B "$work/consumer-sub" -G Ninja -DUSE_SUBDIRECTORY=ON -DBEDROCK_AGENT_SOURCE="$src" >/dev/null
cmake --build "$work/consumer-sub" --target consumer >/dev/null
"$work/consumer-sub/consumer"
echo "consumer: find_package and add_subdirectory both work"
