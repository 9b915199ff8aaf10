#!/usr/bin/env bash
# ctest fixture dashboard_npm_ci: installs playwright-core (tests/dashboard/package-lock.json)
# into the build tree with `npm ci`, once; again only when the lock file changes. No browser is
# downloaded: the tests drive Debian's /usr/bin/chromium.
# Usage: npm_ci.sh NPM SOURCE_DIR DEST_DIR
set -euo pipefail
npm="$1" src="$2" dest="$3"
mkdir -p "$dest"
if [ -f "$dest/node_modules/playwright-core/package.json" ] && cmp -s "$src/package-lock.json" "$dest/.installed-lock.json"; then
  echo "playwright-core already installed in $dest"
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest/"
cd "$dest"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$npm" ci --no-audit --no-fund
cp package-lock.json .installed-lock.json
