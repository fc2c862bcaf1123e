#!/bin/sh
# Copies the socket.io browser client into widget/vendor/, where the widget loads it from
# (no CDN at runtime). Run after `npm ci --prefix web`, from any directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/node_modules/socket.io-client/dist"
dest="$here/widget/vendor"
if [ ! -f "$src/socket.io.min.js" ]; then
  echo "install-vendor.sh: $src/socket.io.min.js is missing; run 'npm ci --prefix web' first" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/socket.io.min.js" "$dest/"
# The source map is optional (only browser dev tools ask for it).
if [ -f "$src/socket.io.min.js.map" ]; then cp "$src/socket.io.min.js.map" "$dest/"; fi
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$here/node_modules/socket.io-client/package.json")
echo "install-vendor.sh: socket.io-client ${version:-?} -> widget/vendor/socket.io.min.js"
