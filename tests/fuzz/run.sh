#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) and runs each for SECONDS (default 30)
# on a copy of its committed corpus plus seeds taken from ../shared's test data. Fails on any
# crash, leak or timeout. Usage: tests/fuzz/run.sh [SECONDS] [target ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(response error timestamp http_response shared_config credentials_json sts_xml)
bash scripts/install-deps.sh clang-14 libclang-rt-14-dev
out=build-fuzz; mkdir -p "$out"
shared=../shared/testdata
declare -A number=([response]=1 [error]=2 [timestamp]=3 [http_response]=4 [shared_config]=5 [credentials_json]=6 [sts_xml]=7)
for t in "${targets[@]}"; do
  n=${number[$t]}
  bin="$out/fuzz_$t"
  if [ -z "$(find "$bin" -newer tests/fuzz/fuzz_targets.cpp 2>/dev/null)" ] || [ -n "$(find include -newer "$bin" -name "*.*pp" 2>/dev/null)" ]; then
    clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -DFUZZ_TARGET="$n" -Iinclude -Isrc tests/fuzz/fuzz_targets.cpp -o "$bin" -lsimdjson -lssl -lcrypto
  fi
  corpus="$out/corpus_$t"; mkdir -p "$corpus"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  case $t in  # seeds from the shared test data
    response|credentials_json) cp "$shared"/sigv4/bedrock-agent-vectors/*.json "$corpus"/ 2>/dev/null || true ;;
    error) cp "$shared"/protocol-tests/restJson1/errors.smithy "$corpus"/ 2>/dev/null || true ;;
    shared_config) cp "$shared"/sigv4/aws-signing-test-suite/v4/get-vanilla/context.json "$corpus"/ 2>/dev/null || true ;;
  esac
  echo "fuzz $t: $secs s"
  "$bin" "$corpus" -artifact_prefix="$out/$t-" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>"$out/$t.log" \
    || { tail -40 "$out/$t.log"; echo "fuzz $t: FAILED"; exit 1; }
  grep -E "stat::number_of_executed_units" "$out/$t.log" | sed "s/^/  $t /"
done
echo "fuzz: all targets ran clean"
