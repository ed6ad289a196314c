#!/usr/bin/env bash
# The main job, end to end with no AWS account: install what is missing, build, start the bundled
# local endpoint with a running ingestion job, stop that job with `bedrock-agent
# stop-ingestion-job`, print the JSON the command prints, and stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target bedrock-agent bedrock-agent-local

out=$(mktemp)
build/bedrock-agent-local --job KB12345678/DS12345678/IJ12345678:IN_PROGRESS >"$out" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
line=$(head -n1 "$out")
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' <<<"$line")
ca=$(sed -E 's/.*"ca_file":"([^"]+)".*/\1/' <<<"$line")
echo "local endpoint: $url (CA: $ca)" >&2

# The local endpoint checks SigV4 signatures against these keys.
AWS_ACCESS_KEY_ID=AKIDLOCALEXAMPLE AWS_SECRET_ACCESS_KEY=bedrock-agent-local-secret \
  build/bedrock-agent --endpoint-url "$url" --ca-bundle "$ca" --region us-east-1 \
  stop-ingestion-job --knowledge-base-id KB12345678 --data-source-id DS12345678 --ingestion-job-id IJ12345678
