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
  rm -f "$work/line"
  "$localbin" --ca-file "$work/ca.pem" "$@" >"$work/line" 2>"$work/server.err" &
  server=$!
  for _ in $(seq 500); do grep -q '"url"' "$work/line" 2>/dev/null && break; sleep 0.02; done
  url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$work/line")
  case $url in https://127.0.0.1:*) ;; *) echo "FAIL: the local endpoint did not start"; exit 1 ;; esac
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
check "get-ingestion-job prints the job" 0 '"status": "STOPP' "$cli" "${common[@]}" get-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
grep -q '"ingestionJobId": "IJ12345678"' "$work/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: get-ingestion-job JSON"; cat "$work/out"; }
check "get-ingestion-job not found" 254 "An error occurred (ResourceNotFoundException) when calling the GetIngestionJob operation: " \
  "$cli" "${common[@]}" get-ingestion-job "${ids[@]}" --ingestion-job-id NOPE123456
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
# A configured provider that fails: its error, in AWS CLI v2's words (botocore's CredentialRetrievalError).
printf '#!/bin/sh\necho "the vault is sealed" >&2\nexit 7\n' >"$work/sealed.sh"
printf '[default]\ncredential_process = sh %s\n' "$work/sealed.sh" >"$work/config-process"
check "credential_process failing: its stderr" 255 "Error when retrieving credentials from custom-process: the vault is sealed" \
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE="$work/config-process" \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "credential_process failing: --debug lists the providers looked in" 255 "DEBUG Looking for credentials via: environment: AWS_ACCESS_KEY_ID is not set" \
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE="$work/config-process" \
  "$cli" "${common[@]}" --debug stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "container endpoint failing" 255 "Error when retrieving credentials from container-role: " \
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/creds \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "web identity without a role ARN" 253 "has no role ARN configured" \
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_WEB_IDENTITY_TOKEN_FILE="$work/sealed.sh" \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "partial keys" 255 "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY" env -u AWS_SECRET_ACCESS_KEY \
  "$cli" "${common[@]}" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "a password in the endpoint URL is never printed" 253 "https://***@" \
  "$cli" --endpoint-url "https://user:s3cret@127.0.0.1:9" --region us-east-1 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
grep -q s3cret "$work/err" "$work/out" && { fail=$((fail + 1)); echo "FAIL: the password reached the output"; } || pass=$((pass + 1))
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

# Profiles: keys and region from the shared files; --profile skips the environment's keys.
cat >"$work/config" <<CFG
[default]
region = us-east-1
[profile other]
region = us-east-1
[profile local]
region = us-east-1
services = local-endpoint
[services local-endpoint]
bedrock_agent =
  endpoint_url = $url
CFG
cat >"$work/credentials" <<CRED
[default]
aws_access_key_id = AKIDLOCALEXAMPLE
aws_secret_access_key = bedrock-agent-local-secret
[other]
aws_access_key_id = AKIDOTHERPROFILE
aws_secret_access_key = whatever
[local]
aws_access_key_id = AKIDLOCALEXAMPLE
aws_secret_access_key = bedrock-agent-local-secret
CRED
check "--profile with its own keys" 254 "(UnrecognizedClientException)" "$cli" --endpoint-url "$url" --ca-bundle "$work/ca.pem" \
  --profile other stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
check "profile keys, region and services endpoint from the files" 254 "(ConflictException)" env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  AWS_CA_BUNDLE="$work/ca.pem" "$cli" --profile local stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456
check "an unknown profile" 253 "The config profile (nope) could not be found" "$cli" --profile nope --region us-east-1 \
  stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
printf '[default]\nregion\n' >"$work/bad-config"
check "a malformed config file names file:line" 253 "bad-config:2:" env AWS_CONFIG_FILE="$work/bad-config" \
  "$cli" stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
printf '#!/bin/sh\necho "{\\"Version\\": 1, \\"AccessKeyId\\": \\"AKIDLOCALEXAMPLE\\", \\"SecretAccessKey\\": \\"bedrock-agent-local-secret\\"}"\n' >"$work/proc.sh"
printf '[default]\nregion = us-east-1\ncredential_process = sh %s\n' "$work/proc.sh" >"$work/proc-config"
check "credential_process" 254 "(ConflictException)" env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE="$work/proc-config" \
  AWS_SHARED_CREDENTIALS_FILE=/nonexistent "$cli" --endpoint-url "$url" --ca-bundle "$work/ca.pem" stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456
check "AWS_ENDPOINT_URL_BEDROCK_AGENT" 254 "(ConflictException)" env AWS_ENDPOINT_URL_BEDROCK_AGENT="$url" \
  "$cli" --ca-bundle "$work/ca.pem" --region us-east-1 stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456
check "FIPS with a custom endpoint is the rule set's error" 253 "FIPS and custom endpoint are not supported" env AWS_USE_FIPS_ENDPOINT=true \
  "$cli" --endpoint-url "$url" --region us-east-1 stop-ingestion-job "${ids[@]}" --ingestion-job-id DONE123456

# Retries and timeouts against a faulty endpoint.
start_server --job KB12345678/DS12345678/IJ12345678 --throttle-rate 1
check "throttled to max attempts" 254 "(ThrottlingException) when calling the StopIngestionJob operation (reached max retries: 2)" \
  "$cli" --endpoint-url "$url" --ca-bundle "$work/ca.pem" --region us-east-1 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678
start_server --job KB12345678/DS12345678/IJ12345678 --latency-ms 3000
check "read timeout" 255 "Read timeout on endpoint URL" "$cli" --endpoint-url "$url" --ca-bundle "$work/ca.pem" --region us-east-1 \
  --cli-read-timeout 0.2 stop-ingestion-job "${ids[@]}" --ingestion-job-id IJ12345678

# The local endpoint stops cleanly on SIGTERM and SIGINT.
for sig in TERM INT; do
  kill -s "$sig" "$server"; wait "$server"; rc=$?
  if [ "$rc" = 0 ] && grep -q '"requests":' "$work/server.err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: SIG$sig exit $rc"; fi
  server=""
  [ "$sig" = TERM ] && start_server --job KB12345678/DS12345678/IJ12345678
done

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
