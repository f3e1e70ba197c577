#!/bin/bash
# fuzz/build.sh OUTDIR -- build the libFuzzer targets (fuzz/fuzz_*.c)
# with clang, ASan and UBSan into OUTDIR (objects cached there, thrown
# away whenever any source, header or flag differs from the last build's,
# by content: a checkout of an older file is not missed).  Every
# target links against the same instrumented copy of src/ (all of
# libfp.a's sources); the linker takes only what a target uses.
#
# Needs: clang, libclang-rt-14-dev (libFuzzer), the -dev packages of the
# main build (scripts/stack.sh stack_install_deps installs them).
# CC (default clang) may name another clang.

set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
OUT=${1:?usage: fuzz/build.sh OUTDIR}
CC=${CC:-clang}
JOBS=${FP_JOBS:-2}

command -v "$CC" >/dev/null 2>&1 ||
    { echo "fuzz/build.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror $SAN"
# (SYSCONFDIR and PKGDATADIR keep the defaults the sources give them.)
CPPFLAGS="-D_GNU_SOURCE"
for d in core daemon http mgmt db admin oscp; do
	CPPFLAGS="$CPPFLAGS -I$SRC/src/$d"
done
CPPFLAGS="$CPPFLAGS $(pkg-config --cflags yajl libmariadb libcrypto libcurl)"
LIBS="-lfcgi $(pkg-config --libs yajl libmariadb libcrypto libcurl)"

# libfp.a's sources, read from Makefile.am so the two lists cannot drift.
# shellcheck disable=SC1003
LIBSRC=$(sed -n '/^libfp_a_SOURCES/,/^$/p' "$SRC/Makefile.am" |
    tr ' \t\\' '\n\n\n' | grep '^src/.*\.c$')
[ -n "$LIBSRC" ] || { echo "fuzz/build.sh: no libfp_a_SOURCES in Makefile.am" >&2; exit 1; }

stamp=$({ echo "$CC $CFLAGS $CPPFLAGS $LIBS"; cat "$SRC"/src/*/*.[ch] \
    "$HERE"/*.[ch]; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$OUT/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$OUT/obj" "$OUT"/fuzz_* "$OUT/libfp-fuzz.a" "$OUT/stamp"
fi
mkdir -p "$OUT/obj"

# Compile one source to OUT/obj/<name>.o unless already there.
compile() {
	local c=$1 extra=$2 o
	o=$OUT/obj/$(basename "${c%.c}").o
	if [ ! -f "$o" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS $extra $CPPFLAGS -c "$c" -o "$o.tmp" && mv "$o.tmp" "$o"
	fi
}
export -f compile
export CC CFLAGS CPPFLAGS OUT

# The library with coverage instrumentation (no libFuzzer main).
for c in $LIBSRC; do
	echo "$SRC/$c"
done | xargs -P "$JOBS" -I{} bash -c 'compile "$1" -fsanitize=fuzzer-no-link' _ {}
objs=""
for c in $LIBSRC; do
	objs="$objs $OUT/obj/$(basename "${c%.c}").o"
done
# shellcheck disable=SC2086
{ rm -f "$OUT/libfp-fuzz.a"; ar cr "$OUT/libfp-fuzz.a" $objs; }

# One binary per target.
for f in "$HERE"/fuzz_*.c; do
	t=$(basename "${f%.c}")
	compile "$f" -fsanitize=fuzzer-no-link
	if [ ! -x "$OUT/$t" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS -fsanitize=fuzzer "$OUT/obj/$t.o" \
		    "$OUT/libfp-fuzz.a" $LIBS -o "$OUT/$t"
	fi
done
echo "$stamp" >"$OUT/stamp"
echo "fuzz/build.sh: $(ls "$HERE"/fuzz_*.c | wc -l) targets in $OUT"
