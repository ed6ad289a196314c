#!/usr/bin/env bash
# The bedrock-agent command against the bundled local endpoint: JSON output, AWS CLI wording on
# stderr, exit codes for every error class, --debug redaction. Usage: cli_test.sh CLI LOCAL
set -uo pipefail
cli=$1 localbin=$2
work=$(mktemp -d)
pass=0 fail=0
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_server() {  # extra flags...
  [ -n "${server:-}" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  "$localbin" --ca-file "$work/ca.pem" "$@" >"$work/line" 2>"$work/server.err" &
  server=$!
  for _ in $(seq 200); do [ -s "$work/line" ] && break; sleep 0.02; done
  url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$work/line")
}

# check NAME EXPECTED_EXIT STDERR_SUBSTRING [args...]
check() {
  local name=$1 want=$2 text=$3; shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" = "$want" ] && { [ -z "$text" ] || grep -qF -- "$text" "$work/err" "$work/out"; }; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $got (want $want), expected text: $text"
    sed 's/^/  stdout: /' "$work/out" | head -20; sed 's/^/  stderr: /' "$work/err" | head -20
  fi
}

export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials"
export AWS_ACCESS_KEY_ID=AKIDLOCALEXAMPLE AWS_SECRET_ACCESS_KEY=bedrock-agent-local-secret
unset AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_BEDROCK_AGENT AWS_CA_BUNDLE AWS_PROFILE
ids=(--knowledge-base-id KB12345678 --data-source-id DS12345678)

start_server --job KB12345678/DS12345678/IJ12345678 --job KB12345678/DS12345678/DONE123456:COMPLETE \
  --job KB12345678/DS12345678/TEXT123456
common=(--endpoint-url "$url" --ca-bundle "$work/ca.pem" --region us-east-1)

check "success prints the JSON" 0 '"status": "STOPPING"' "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
grep -q '"ingestionJob": {' "$work/out" && grep -q '"numberOfDocumentsScanned": ' "$work/out" && grep -qE '"startedAt": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00"' "$work/out" \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: JSON member names"; cat "$work/out"; }
check "conflict" 254 "An error occurred (ConflictException) when calling the StopIngestionJob operation: " \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456
check "not found" 254 "An error occurred (ResourceNotFoundException) when calling the StopIngestionJob operation: " \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id NOPE123456
check "text output" 0 "INGESTIONJOB" "$cli" "${common[@]}" --output text stop-ingestion-job "${ids[@]}" --ingestion-job-id TEXT123456
check "bad id is 252 and names the parameter" 252 "--ingestion-job-id" \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id 'IJ/../x'
check "missing parameter" 252 "the following arguments are required: --ingestion-job-id" \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}"
check "unknown option" 252 "Unknown options: --bogus" "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678 --bogus
check "bad output format" 252 "--output" "$cli" "${common[@]}" --output yaml stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "no region" 253 "You must specify a region" "$cli" --endpoint-url "$url" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "no credentials" 253 "Unable to locate credentials" env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "bad endpoint URL" 253 "invalid endpoint URL" "$cli" --endpoint-url "ftp://x" --region us-east-1 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "wrong secret: 403 from the signature check" 254 "(InvalidSignatureException)" env AWS_SECRET_ACCESS_KEY=wrong \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "unknown access key" 254 "(UnrecognizedClientException)" env AWS_ACCESS_KEY_ID=AKIDOTHER \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "self-signed without --ca-bundle" 255 "SSL validation failed" "$cli" --endpoint-url "$url" --region us-east-1 \
  stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "--no-verify-ssl accepts it" 254 "ConflictException" "$cli" --endpoint-url "$url" --region us-east-1 --no-verify-ssl \
  stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456
check "connection refused" 255 "Could not connect to the endpoint URL" "$cli" --endpoint-url "https://127.0.0.1:9" --region us-east-1 \
  --cli-connect-timeout 1 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "--version" 0 "bedrock-agent/" "$cli" --version
check "--help" 0 "stop-ingestion-job" "$cli" --help

# --debug: headers on stderr, secrets redacted.
check "--debug" 254 "Authorization: <redacted>" env AWS_SESSION_TOKEN=SESSIONTOKENSECRET "$cli" "${common[@]}" --debug \
  stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456
if grep -q "X-Amz-Security-Token: <redacted>" "$work/err" && ! grep -q "SESSIONTOKENSECRET\|bedrock-agent-local-secret" "$work/err" "$work/out"; then
  pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: --debug leaks a secret or lacks the redacted token"; cat "$work/err"; fi

# Retries and timeouts against a faulty endpoint.
start_server --job KB12345678/DS12345678/IJ12345678 --throttle-rate 1
check "throttled to max attempts" 254 "(ThrottlingException) when calling the StopIngestionJob operation (reached max retries: 2)" \
  "$cli" --endpoint-url "$url" --ca-bundle "$work/ca.pem" --region us-east-1 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
start_server --job KB12345678/DS12345678/IJ12345678 --latency-ms 3000
check "read timeout" 255 "Read timeout on endpoint URL" "$cli" --endpoint-url "$url" --ca-bundle "$work/ca.pem" --region us-east-1 \
  --cli-read-timeout 0.2 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
