#!/usr/bin/env bash
# Builds the Debian package (debian/) from the files git tracks, in a copy under a temporary
# directory so that the tree stays clean, checks it with lintian and prints the .deb's path.
#
#   scripts/package.sh [-o DIR] [--no-lintian]
#
#   -o DIR         where the .deb (.buildinfo, .changes, and the build log) go; default dist/
#   --no-lintian   skip lintian (it fails the script on errors, warnings are only printed)
#
# Uncommitted changes to tracked files are packaged; untracked files are not. The version is
# meson.build's: debian/changelog's top entry must say the same (dch -v VERSION).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/dist
lint=1
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=${2:?-o needs a directory}; shift ;;
	--no-lintian) lint=0 ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	*) echo "package.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

need=(git dpkg-buildpackage dpkg-parsechangelog fakeroot)
[ "$lint" = 1 ] && need+=(lintian)
for c in "${need[@]}"; do
	command -v "$c" >/dev/null ||
		{ echo "package.sh: $c not found (scripts/setup.sh installs it)" >&2; exit 1; }
done
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "package.sh: $top is not a git checkout" >&2; exit 1; }

# project()'s version: the first `version:` of meson.build.
version=$(sed -n "s/^[[:space:]]*version:[[:space:]]*'\([^']*\)'.*/\1/p" "$top/meson.build" |
	head -n 1)
deb_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
if [ -z "$version" ] || [ "$version" != "$deb_version" ]; then
	echo "package.sh: meson.build says version '$version', debian/changelog '$deb_version':" \
		"add a changelog entry (dch -v $version)" >&2
	exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/wgdp-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/wgdp-$version
mkdir "$src"

# The tracked files as they are in the work tree (a deleted one is left out, as a commit of
# the tree would leave it out).
git -C "$top" ls-files -z | while IFS= read -r -d '' f; do
	[ -e "$top/$f" ] || [ -L "$top/$f" ] && printf '%s\0' "$f"
done | tar -C "$top" --null --no-recursion -T - -cf - | tar -C "$src" -xf -

arch=$(dpkg-architecture -q DEB_HOST_ARCH)
log=$out/wgdp_${version}_$arch.build
echo "package.sh: building wgdp $version in $src (log: $log)" >&2
start=$SECONDS
if ! (cd "$src" &&
      DEB_BUILD_OPTIONS="nocheck parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
      dpkg-buildpackage -b -us -uc) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "package.sh: dpkg-buildpackage failed (the whole log: $log)" >&2
	exit 1
fi
echo "package.sh: built in $((SECONDS - start)) s" >&2

deb=wgdp_${version}_$arch.deb
for f in "$deb" "wgdp_${version}_$arch.buildinfo" "wgdp_${version}_$arch.changes"; do
	cp "$work/$f" "$out/"
done
if [ "$lint" = 1 ]; then
	# Errors fail the build; warnings are printed (docs/operations.md lists those left).
	lintian --fail-on error "$out/$deb" >&2 ||
		{ echo "package.sh: lintian found errors in $out/$deb" >&2; exit 1; }
fi
echo "$out/$deb"
