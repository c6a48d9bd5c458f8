#!/usr/bin/env bash
# Rebuild the vendored front-end assets from the npm registry (see README.md beside this file).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund \
    govuk-frontend@6.6.0 vega@6.4.0 vega-lite@6.4.1 vega-embed@7.3.0 htmx.org@2.0.11 sass@1.108.2
n=node_modules
npx sass --load-path=$n --style=compressed --no-source-map \
    "$static/attendwise/scss/attendwise.scss" "$static/attendwise/attendwise.css"
cp $n/govuk-frontend/dist/govuk/govuk-frontend.min.js "$here/govuk-frontend/"
cp $n/vega/build/vega.min.js $n/vega-lite/build/vega-lite.min.js $n/vega-embed/build/vega-embed.min.js "$here/vega/"
for p in vega vega-lite vega-embed; do cp "$n/$p/LICENSE" "$here/vega/LICENSE-$p"; done
cp $n/htmx.org/dist/htmx.min.js "$here/htmx/"
cp $n/htmx.org/LICENSE "$here/htmx/LICENSE"
for f in "$here"/govuk-frontend/*.js "$here"/vega/*.js "$here"/htmx/*.js; do
    sed -i 's#//\# sourceMappingURL=[^ ]*\.map##' "$f"
done
echo "rebuilt assets in $static"
