#!/bin/sh
# Checks the built man pages (man/meson.build runs it as the test man-pages):
#
#   check_man.sh PAGE[=BINARY] ...
#
# Each PAGE must render with man(1) and groff without a single warning, and carry its title
# (name(section)) and a NAME section that names it, in the form mandb indexes for whatis and
# apropos. With BINARY, every long option its --help
# prints (and every command word of the usage's indented lines) must appear in the rendered
# page: an option added to a binary without its page fails here. A --help that lists
# "Benchmarks:" (wgdp-perf) is followed into each benchmark's own --help.
set -u

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
	echo "check_man: $*" >&2
	failed=1
}

# The page as a reader sees it, at 80 columns, in UTF-8; warnings go to $tmp/err.
render() {
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$1" \
		>"$tmp/page" 2>"$tmp/err"
}

# The rendered page with words put back together where a line broke inside them: after a
# hyphenation point (U+2010) or after a hyphen of the word itself (--handshake-lcores).
joined_page() {
	perl -CSD -0pe 's/\x{2010}\n\s*//g; s/-\n\s*/-/g' "$tmp/page"
}

# Everything BINARY --help says, including each benchmark's own --help.
help_text() {
	"$1" --help || return 1
	"$1" --help | awk '/^Benchmarks:/ { in_list = 1; next } /^$/ { in_list = 0 }
		in_list && /^  [a-z]/ { print $1 }' >"$tmp/subs"
	while read -r sub; do
		"$1" "$sub" --help || return 1
	done <"$tmp/subs"
}

# Long options, and the command words that start indented usage lines ("  show [IFACE]",
# "  genkey   print ...", "  crypto     AEAD ..."): a lowercase word followed by an
# argument, a bracket, two spaces or the end of the line.
help_words() {
	grep -o -- '--[a-z][a-z0-9-]*' "$tmp/help"
	sed -n 's/^  \([a-z][a-z-]*\)\( [A-Z[<]\|  \|$\).*/\1/p' "$tmp/help"
}

check_page() {
	page=$1 bin=$2
	file=$(basename "$page")
	name=${file%.*}
	section=${file##*.}

	if [ ! -s "$page" ]; then
		fail "$page: missing or empty"
		return
	fi
	if ! render "$page"; then
		fail "$page: man -l failed"
		cat "$tmp/err" >&2
		return
	fi
	if [ -s "$tmp/err" ]; then
		fail "$page: man --warnings printed:"
		cat "$tmp/err" >&2
	fi
	head -n 1 "$tmp/page" | grep -qF "$name($section)" ||
		fail "$page: the title is not $name($section)"
	grep -qx 'NAME' "$tmp/page" || fail "$page: no NAME section"
	grep -q "^ *$name - " "$tmp/page" || fail "$page: NAME does not begin with '$name - '"
	lexgrog "$page" >/dev/null 2>&1 || fail "$page: lexgrog finds no whatis entry in NAME"
	[ -n "$bin" ] || return

	if ! help_text "$bin" >"$tmp/help" 2>&1; then
		fail "$bin --help failed"
		return
	fi
	joined_page >"$tmp/joined"
	for word in $(help_words | sort -u); do
		grep -qE -- "(^|[^a-z0-9-])$word([^a-z0-9-]|\$)" "$tmp/joined" ||
			fail "$page: does not mention '$word', which $(basename "$bin") --help prints"
	done
}

[ $# -gt 0 ] || {
	echo "usage: check_man.sh PAGE[=BINARY] ..." >&2
	exit 2
}
for tool in man lexgrog groff perl; do
	command -v $tool >/dev/null || {
		echo "check_man: $tool not found (scripts/setup.sh installs man-db)" >&2
		exit 1
	}
done
for arg in "$@"; do
	case $arg in
	*=*) check_page "${arg%%=*}" "${arg#*=}" ;;
	*) check_page "$arg" "" ;;
	esac
done
[ $failed -eq 0 ] && echo "check_man: $# pages render without warnings and name their options"
exit $failed
