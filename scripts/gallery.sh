#!/usr/bin/env bash
# Regenerates docs/gallery/*.png: a run report, an ensemble report, a comparison report and
# the dashboard (its scenarios, and the run replayed), as headless Chromium shows them
# (Debian's `chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
cargo build --release -q -p mobilize-cli
bin=$root/target/release/mobilize
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
out=$root/docs/gallery
mkdir -p "$out"
shot() { # URL FILE HEIGHT
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"$3" \
    --screenshot="$out/$2" "$1" 2> /dev/null
}
folder() { sed -n 's/^results: //p'; }

run=$(cd "$work" && "$bin" run korea-1936-1945 -q --out runs | folder)
shot "file://$work/$run/report.html" run-report.png 1900
ens=$(cd "$work" && "$bin" ensemble two-valleys -n 20 --seed 1 -q --out runs | folder)
shot "file://$work/$ens/report.html" ensemble-report.png 1600
cmp=$(cd "$work" && "$bin" compare korea-1936-1945 --scale 0.02 -n 4 --seed 1 -q --out runs \
  --vs --set resistance.organizations=false | folder)
shot "file://$work/$cmp/report.html" comparison-report.png 1600
"$bin" serve --port 0 --runs "$work/runs" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  url=$(sed -n 's/.*open \(http:[^ ]*\/\).*/\1/p' "$work/serve.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.2
done
shot "$url" dashboard.png 900
# The run replayed from its folder in the dashboard: its map, charts and decisive days.
rel=${run#runs/}
id=$(curl -sf -X POST -H 'content-type: application/json' -d "{\"folder\":\"$rel\"}" \
  "${url}api/folders/replay" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1500 \
  --virtual-time-budget=15000 --screenshot="$out/dashboard-run.png" "${url}#/run/$id" 2> /dev/null
echo "gallery: $(ls "$out"/*.png | wc -l) pictures in docs/gallery/"
