#!/usr/bin/env bash
# Streaming cost of `mobilize serve` (figures in BENCHMARKS.md):
#  1. korea-1936-1945 at scale 0.1 from the CLI: the run loop's seconds (manifest run_s);
#  2. the same run started from the server with 0, 1 and 20 clients reading every message
#     (curl on /api/runs/ID/events): its run_s, and the server's CPU seconds during the run.
# Added CPU of N clients = (server CPU with N clients - with 0) / wall seconds of the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet -p mobilize-cli
bin=target/release/mobilize
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT

runs_s() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timings']['run_s'])" "$1"; }
cpu_ticks() { awk '{print $14 + $15}' /proc/$1/stat; }

for i in 1 2 3; do
    out=$($bin run -q --out "$tmp/cli")
    dir=$(echo "$out" | sed -n 's/^results: //p')
    echo "cli: run_s $(runs_s "$dir/manifest.json")"
done

$bin serve --port 0 --runs "$tmp/serve" > "$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q "open http" "$tmp/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/.*open \(http[^ ]*\)\/ .*/\1/p' "$tmp/serve.log")
hz=$(getconf CLK_TCK)

for clients in 0 1 20 0 1 20; do
    before=$(cpu_ticks $server)
    t0=$(date +%s.%N)
    id=$(curl -s -XPOST "$url/api/runs" -d '{"scenario":"korea-1936-1945"}' | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
    pids=()
    for c in $(seq $clients); do
        curl -s -N "$url/api/runs/$id/events" -o "$tmp/events-$c.txt" &
        pids+=($!)
    done
    while ! curl -s "$url/api/runs/$id" | grep -q '"phase":"finished"'; do sleep 0.05; done
    for p in "${pids[@]}"; do wait $p; done
    t1=$(date +%s.%N)
    after=$(cpu_ticks $server)
    folder=$(curl -s "$url/api/runs/$id" | python3 -c "import json,sys; print(json.load(sys.stdin)['folder'])")
    steps=$( [ "$clients" -gt 0 ] && grep -c "^event: step" "$tmp/events-1.txt" || echo -)
    echo "serve, $clients clients: run_s $(runs_s "$tmp/serve/$folder/manifest.json"), server CPU $(python3 -c "print(round(($after-$before)/$hz, 2))") s over $(python3 -c "print(round($t1-$t0, 2))") s wall, steps received by client 1: $steps"
done
