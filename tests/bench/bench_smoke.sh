#!/usr/bin/env bash
# The bench program against the bundled local endpoint (signature checking on): its one JSON
# line has every field of the issue's interface and consistent values, for both clients; a run
# whose calls all fail counts them in errors and goes on. Usage: bench_smoke.sh BENCH LOCAL
set -uo pipefail
bench=$1 localbin=$2
work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIDLOCALEXAMPLE AWS_SECRET_ACCESS_KEY=bedrock-agent-local-secret
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export AWS_REGION=us-east-1

"$localbin" --ca-file "$work/ca.pem" --job KB12345678/DS12345678/IJ12345678 --repeatable-stops >"$work/line" 2>"$work/server.err" &
server=$!
for _ in $(seq 500); do grep -q '"url"' "$work/line" 2>/dev/null && break; sleep 0.02; done
url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$work/line")
case $url in https://127.0.0.1:*) ;; *) echo "FAIL: the local endpoint did not start"; exit 1 ;; esac

fail=0
python_check='
import json, sys
name, expect, args = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
def arg(flag, default=None):
    return args[args.index(flag) + 1] if flag in args else default
ok = True
def need(cond, what):
    global ok
    if not cond:
        print(f"FAIL: {name}: {what}: {lines}")
        ok = False
need(len(lines) == 1, "one JSON line")
r = json.loads(lines[0])
keys = ["client", "requests", "concurrency", "threads", "seconds", "rps", "p50_us", "p99_us", "errors",
        "attempts", "cpu_seconds", "peak_rss_kb"]
need(list(r) == keys, "the fields, in order")
n = int(arg("--requests"))
need(r["client"] == arg("--client") and r["requests"] == n and r["concurrency"] == int(arg("--concurrency")), "echoes")
need(r["seconds"] > 0 and abs(r["rps"] - n / r["seconds"]) <= 0.01 * r["rps"] + 1, "rps = requests / seconds")
need(0 <= r["p50_us"] <= r["p99_us"] <= r["seconds"] * 1e6, "p50 <= p99 <= the run")
need(r["cpu_seconds"] > 0 and r["peak_rss_kb"] > 1000, "cpu and rss")
attempts_max = n * int(arg("--max-attempts", "3"))
if expect == "none":
    need(r["errors"] == 0 and r["attempts"] == n, "no errors, one attempt a call")
else:
    need(r["errors"] == n and n <= r["attempts"] <= attempts_max, "every call an error, the run goes on")
sys.exit(0 if ok else 1)
'
run() {
  local name=$1 expect=$2; shift 2
  if ! "$bench" --endpoint-url "$url" --ca-bundle "$work/ca.pem" "$@" >"$work/out" 2>"$work/err"; then
    echo "FAIL: $name: exit status"; sed 's/^/  /' "$work/err" | head; fail=1; return
  fi
  python3 -c "$python_check" "$name" "$expect" "$@" <"$work/out" || fail=1
}

run "async" none --client async --requests 400 --concurrency 16
run "async, 2 threads" none --client async --requests 400 --concurrency 16 --threads 2
run "async, 4 connections" none --client async --requests 300 --concurrency 32 --max-connections 4
run "blocking" none --client blocking --requests 100 --concurrency 4
# A job the endpoint does not know: 404 ResourceNotFoundException for every call (not retried).
run "async, unknown job" all --client async --requests 50 --concurrency 8 --ingestion-job-id NOSUCHJOB1
run "blocking, unknown job" all --client blocking --requests 20 --concurrency 2 --ingestion-job-id NOSUCHJOB1

if [ "$fail" = 0 ]; then echo "bench smoke: 6 runs passed"; else exit 1; fi
