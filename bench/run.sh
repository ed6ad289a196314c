#!/usr/bin/env bash
# Measures everything side by side in one run and writes bench/RESULTS.md:
#  - nginx (Debian) on 127.0.0.1 with TLS and keep-alive, one worker pinned to core 0, answering
#    the StopIngestionJob route with a 202 and a realistic body: the fixed-cost server;
#  - wrk (Debian) with a POST script: the wire limit;
#  - bedrock-agent-bench --client async (the client's default pool of 25 connections, and above
#    25 calls also one connection per call) and --client blocking, pinned to core 1;
#  at concurrency 1, 16, 64, 256, 1024, RUNS runs each (medians), plus one run at 10,000
#  concurrent calls for the memory per waiting call, and the local endpoint (signatures checked)
#  as a second target; then the micro-benchmarks of the sans-io core.
#  With BASELINE=REV (a commit), the bench program is also built at REV and its async and
#  blocking clients run in the same loop, interleaved with this commit's, against the same nginx:
#  RESULTS.md then has a before/after table of the ratios, measured side by side.
# Usage: bash bench/run.sh   (as root on Debian 12; installs nginx, wrk, time, python3 if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DURATION=${DURATION:-3}
bash scripts/install-deps.sh nginx-light wrk time python3 libbenchmark-dev
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DBEDROCK_AGENT_BUILD_BENCH=ON \
  -DBEDROCK_AGENT_BUILD_TESTS=OFF -DBEDROCK_AGENT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target bedrock-agent-bench bedrock-agent-micro bedrock-agent-local >/dev/null

work=$(mktemp -d)
base_bench=
if [ -n "${BASELINE:-}" ]; then
  mkdir -p "$work/baseline-src"
  git archive "$BASELINE" | tar -x -C "$work/baseline-src"
  cmake -S "$work/baseline-src" -B "$work/baseline-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBEDROCK_AGENT_BUILD_BENCH=ON \
    -DBEDROCK_AGENT_BUILD_TESTS=OFF -DBEDROCK_AGENT_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$work/baseline-build" -j"$(nproc)" --target bedrock-agent-bench >/dev/null
  base_bench="$work/baseline-build/bench/bedrock-agent-bench"
  baseline_rev=$(git rev-parse --short "$BASELINE")
fi
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${local_pid:-}" ] && kill "$local_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ncores=$(nproc)
server_core=0
client_core=$((ncores > 1 ? 1 : 0))

# --- nginx ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
port=$(( 20000 + RANDOM % 20000 ))
body='{"ingestionJob":{"knowledgeBaseId":"KB12345678","dataSourceId":"DS12345678","ingestionJobId":"IJ12345678","status":"STOPPING","statistics":{"numberOfDocumentsScanned":1200,"numberOfMetadataDocumentsScanned":0,"numberOfNewDocumentsIndexed":600,"numberOfModifiedDocumentsIndexed":0,"numberOfMetadataDocumentsModified":0,"numberOfDocumentsDeleted":0,"numberOfDocumentsFailed":0,"numberOfDocumentsSkipped":0},"startedAt":"2026-11-28T10:00:00.123Z","updatedAt":"2026-11-28T10:05:00Z"}}'
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 1;
worker_rlimit_nofile 65536;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_session_cache shared:SSL:10m;
    location / {
      default_type application/json;
      add_header x-amzn-RequestId 11111111-2222-3333-4444-555555555555 always;
      return 202 '$body';
    }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 100); do [ -f "$work/nginx.pid" ] && break; sleep 0.05; done
url="https://127.0.0.1:$port"
path=/knowledgebases/KB12345678/datasources/DS12345678/ingestionjobs/IJ12345678/stop
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Length"] = "0"
LUA

export AWS_ACCESS_KEY_ID=AKIDLOCALEXAMPLE AWS_SECRET_ACCESS_KEY=bedrock-agent-local-secret
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
bench=build-bench/bench/bedrock-agent-bench
results="$work/results.jsonl"
: >"$results"

run_wrk() {  # concurrency -> one JSON line
  local c=$1
  local out cpu
  out=$( { /usr/bin/time -f "TIME %U %S" taskset -c $client_core wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$work/post.lua" "$url$path"; } 2>&1 )
  python3 - "$c" <<PY
import re, sys, json
out = """$out"""
c = int(sys.argv[1])
reqs = int(re.search(r"(\d+) requests in", out).group(1))
secs = float(re.search(r"requests in ([\d.]+)s", out).group(1))
def lat(p):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)" % p, out, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 1, "ms": 1000, "s": 1e6}[u]
u, s = map(float, re.search(r"TIME ([\d.]+) ([\d.]+)", out).group(1, 2))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(json.dumps({"client": "wrk", "requests": reqs, "concurrency": c, "seconds": secs, "rps": reqs / secs,
                  "p50_us": lat(50), "p99_us": lat(99), "errors": int(errs.group(1)) if errs else 0,
                  "cpu_seconds": u + s, "peak_rss_kb": 0}))
PY
}

run_client() {  # kind concurrency requests [extra args] -> one JSON line
  local kind=$1 c=$2 n=$3; shift 3
  taskset -c $client_core "${program:-$bench}" --endpoint-url "$url" --ca-bundle "$work/cert.pem" --region us-east-1 \
    --requests "$n" --concurrency "$c" --client "$kind" "$@"
}

for c in 1 16 64 256 1024; do
  for r in $(seq "$RUNS"); do
    run_wrk "$c" | sed 's/^/{"target":"nginx",/; s/^{"target":"nginx",{/{"target":"nginx",/' >>"$results"
    rps=$(tail -n1 "$results" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["rps"]))')
    n=$(( rps * DURATION )); [ "$n" -lt 2000 ] && n=2000
    run_client async "$c" "$n" | sed 's/^{/{"target":"nginx",/' >>"$results"
    if [ "$c" -gt 25 ]; then  # beyond the default pool: also one connection per call, as wrk
      run_client async "$c" "$n" --max-connections "$c" | sed 's/^{"client":"async"/{"target":"nginx","client":"async-c"/' >>"$results"
    fi
    nb=$(( n / 2 )); [ "$nb" -lt 1000 ] && nb=1000
    run_client blocking "$c" "$nb" | sed 's/^{/{"target":"nginx",/' >>"$results"
    if [ -n "$base_bench" ]; then  # the baseline commit's clients, in the same loop
      program=$base_bench run_client async "$c" "$n" | sed 's/^{"client":"async"/{"target":"nginx","client":"async-base"/' >>"$results"
      program=$base_bench run_client blocking "$c" "$nb" | sed 's/^{"client":"blocking"/{"target":"nginx","client":"blocking-base"/' >>"$results"
    fi
  done
  echo "concurrency $c done" >&2
done

# Memory per waiting call: 10,000 concurrent calls through 64 connections, against 1 call.
run_client async 1 10000 --max-connections 64 | sed 's/^{/{"target":"nginx","memory":"base",/' >>"$results"
run_client async 10000 10000 --max-connections 64 | sed 's/^{/{"target":"nginx","memory":"10000",/' >>"$results"
if [ -n "$base_bench" ]; then
  program=$base_bench run_client async 1 10000 --max-connections 64 | sed 's/^{/{"target":"nginx","memory":"base-base",/' >>"$results"
  program=$base_bench run_client async 10000 10000 --max-connections 64 | sed 's/^{/{"target":"nginx","memory":"10000-base",/' >>"$results"
fi

# The local endpoint (signature checking on) as a second target.
taskset -c $server_core build-bench/bedrock-agent-local --ca-file "$work/local-ca.pem" \
  --job KB12345678/DS12345678/IJ12345678 --repeatable-stops >"$work/local.line" 2>/dev/null &
local_pid=$!
for _ in $(seq 100); do [ -s "$work/local.line" ] && break; sleep 0.05; done
lurl=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$work/local.line")
taskset -c $client_core "$bench" --endpoint-url "$lurl" --ca-bundle "$work/local-ca.pem" --region us-east-1 \
  --requests 20000 --concurrency 64 --client async --max-attempts 1 | sed 's/^{/{"target":"local",/' >>"$results"

build-bench/bench/bedrock-agent-micro --benchmark_format=json --benchmark_min_time=0.2 >"$work/micro.json" 2>/dev/null

BASELINE_REV=${baseline_rev:-} python3 bench/report.py "$results" "$work/micro.json" "$RUNS" >bench/RESULTS.md
cat bench/RESULTS.md
