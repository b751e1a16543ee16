#!/bin/sh
# Called by the BuildInfo plugin before each build: writes $2 (BuildInfo.swift) with the package's ($1) git
# revision, the build date and the Swift version, for `alertrelay --version`. The file is rewritten only when
# the revision or the toolchain changes, so the build date is when this revision was first built here.
# ALERTRELAY_REVISION overrides the revision (a build without .git, such as deploy/Dockerfile's);
# SOURCE_DATE_EPOCH fixes the date (reproducible builds).
set -eu
package=$1
output=$2
revision=${ALERTRELAY_REVISION:-}
if [ -z "$revision" ]; then
  revision=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  if [ "$revision" != unknown ] && ! git -C "$package" diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then
    revision="$revision-modified"
  fi
fi
branch=$(git -C "$package" rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
swift_version=$(swiftc --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -n 1)
swift_version=${swift_version:-unknown}
key="$revision $branch $swift_version"
if [ -f "$output" ] && grep -qxF "// $key" "$output"; then
  exit 0
fi
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
else
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fi
mkdir -p "$(dirname "$output")"
cat > "$output.tmp" <<SWIFT
// $key
// Written by scripts/build-info.sh; not committed.
enum BuildInfo {
    static let revision = "$revision"
    static let branch = "$branch"
    static let date = "$date"
    static let swiftVersion = "$swift_version"
}
SWIFT
mv "$output.tmp" "$output"
