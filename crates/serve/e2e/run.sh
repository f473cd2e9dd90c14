#!/usr/bin/env bash
# End-to-end tests of the dashboard in headless Chromium. Installs what is missing: Debian's
# chromium (apt) and playwright-core (npm, pinned in package-lock.json); builds mobilize.
# Screenshots go to target/e2e/.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../../.. && pwd)

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
    echo "== installing chromium (Debian package)"
    sudo_=""
    [ "$(id -u)" -ne 0 ] && sudo_="sudo"
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium > /dev/null
    chromium=$(command -v chromium)
fi
if [ ! -d node_modules/playwright-core ]; then
    echo "== installing playwright-core"
    npm ci --no-audit --no-fund --silent
fi
(cd "$root" && cargo build --quiet -p mobilize-cli)
mkdir -p "$root/target/e2e"
MOBILIZE_BIN="$root/target/debug/mobilize" CHROMIUM="$chromium" SCREENSHOTS="$root/target/e2e" \
    node dashboard.mjs
MOBILIZE_BIN="$root/target/debug/mobilize" CHROMIUM="$chromium" SCREENSHOTS="$root/target/e2e" \
    node report.mjs
