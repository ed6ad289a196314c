#!/usr/bin/env bash
# Runs one example against a fresh bedrock-agent-local: usage run_example.sh LOCAL EXAMPLE
set -euo pipefail
localbin=$1 example=$2
work=$(mktemp -d)
extra=()
case "$example" in
  *03_timeouts*) extra+=(--latency-ms 2000) ;;
  *04_many*) for i in $(seq 0 99); do extra+=(--job "KB12345678/DS12345678/$(printf 'J%09d' "$i")"); done ;;
esac
"$localbin" --ca-file "$work/ca.pem" --job KB12345678/DS12345678/IJ12345678 "${extra[@]}" >"$work/line" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do [ -s "$work/line" ] && break; sleep 0.02; done
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$work/line")
env -u AWS_PROFILE AWS_REGION=us-east-1 AWS_ENDPOINT_URL_BEDROCK_AGENT="$url" AWS_CA_BUNDLE="$work/ca.pem" \
  AWS_ACCESS_KEY_ID=AKIDLOCALEXAMPLE AWS_SECRET_ACCESS_KEY=bedrock-agent-local-secret "$example"
