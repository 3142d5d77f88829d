#!/usr/bin/env bash
# Install the front-end libraries locked in package-lock.json (Tom Select, Chart.js) and copy the files the pages load
# into static/vendor/ (not in git; served by Django's static files like the rest of static/).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "The pages' front-end libraries come from npm: install Node.js (with npm) and run make again." >&2
  exit 1
fi
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
out=static/vendor/tom-select
rm -rf static/vendor
mkdir -p "$out"
# With their source maps: the production static storage follows sourceMappingURL comments.
cp node_modules/tom-select/dist/js/tom-select.complete.min.js{,.map} "$out/"
cp node_modules/tom-select/dist/css/tom-select.min.css{,.map} "$out/"
cp node_modules/tom-select/LICENSE "$out/" 2>/dev/null || true
# Chart.js: the dashboard's and the reports' charts (static/js/charts.js draws them).
cp node_modules/chart.js/dist/chart.umd.min.js{,.map} static/vendor/
cp node_modules/chart.js/LICENSE.md static/vendor/chart.js.LICENSE.md
touch static/vendor/.built
