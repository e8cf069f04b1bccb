#!/usr/bin/env bash
# Puts Test::Harness 3.48 (TAP/ and App/ of Debian 13's perl-modules-5.40)
# into build/test-harness-3.48, where the TAP consumer test looks for it, so
# that test reads the TAP output with the prove of Debian 13 as well as with
# the machine's own. apt fetches the package with its own lists in a
# temporary directory: the machine's apt sources and packages are not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build/test-harness-3.48
if [ -f "$dest/TAP/Parser.pm" ]; then echo "$dest"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' > "$tmp/sources.list"
apt_opts=(-qq -o Dir::Etc::SourceList="$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$tmp/lists" -o Dir::Cache::Archives="$tmp/archives" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update
(cd "$tmp" && apt-get "${apt_opts[@]}" download perl-modules-5.40)
dpkg-deb -x "$tmp"/perl-modules-5.40_*.deb "$tmp/x"
lib=$(cd "$(dirname "$(find "$tmp/x" -path '*/TAP/Parser.pm' | head -n 1)")/.." && pwd)
grep -q "Version 3.48" "$lib/TAP/Parser.pm" || { echo "perl-modules-5.40 does not hold Test::Harness 3.48" >&2; exit 1; }
mkdir -p "$dest"
cp -r "$lib/TAP" "$lib/App" "$dest/"
echo "$dest"
