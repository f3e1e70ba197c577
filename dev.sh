#!/bin/bash
# dev.sh -- the developer's entry point (SPEC §5).  Run it from anywhere
# as root, or as a user who may sudo (used for apt only).  Servers are
# private, on loopback, under ./var or a temp dir; no system service is
# touched.
#
#   ./dev.sh run                  build, start MariaDB + oscp-fpd + nginx on
#                                 http://127.0.0.1:8080, create a demo
#                                 tenant, print a signed request; Ctrl-C
#                                 stops everything
#   ./dev.sh admin ARGS...        oscp-admin with ./var's config
#   ./dev.sh curl [METHOD] PATH [BODY | --data-file FILE]
#                                 signed request as the demo user to the
#                                 stack ./dev.sh run started (its port is
#                                 in var/demo.env); exits non-zero when
#                                 the connection fails or the status is
#                                 4xx/5xx (the body is still printed);
#                                 --data-file sends FILE's bytes as they are
#   ./dev.sh peer [cp|co]         a demo OSCP peer against the running stack
#                                 (./dev.sh run in another terminal): creates
#                                 a CP (default) or CO as the demo user; the
#                                 peer (tests/integration/peer.mjs) registers
#                                 with its FP token, then hand-shakes (asking
#                                 for a heartbeat every 60 s) and sends a
#                                 heartbeat.  Run `peer co` first, then
#                                 `peer cp`: the CP also gets a group with
#                                 that CO and sends a forecast, which the FP
#                                 relays to the CO's peer.  Every request
#                                 either peer receives is printed; then type
#                                 peer commands ("help"), Ctrl-C stops it.
#                                 npm packages go to var/node-deps.
#   ./dev.sh test                 clean builds + make check (plain and
#                                 with ASan/UBSan), a 1-minute soak, the
#                                 fuzz targets 10 s each, make
#                                 check-valgrind, make distcheck
#   ./dev.sh fuzz [SECONDS] [TARGET...]   build the libFuzzer targets
#                                 (clang, ASan+UBSan) and run each for
#                                 SECONDS (60), regressions replayed first;
#                                 prints execs and crashes per target
#   ./dev.sh bench [ARGS...]      bench/run
#   ./dev.sh soak [MINUTES]       soak/run: mixed management + OSCP load at
#                                 fixed concurrency for MINUTES (10) after a
#                                 warm-up; throughput and errors per minute,
#                                 RSS/fds of every process and DB connections
#                                 at start and end; exit 1 on an error, RSS
#                                 growth >= 5 %, growing fds/connections
#
# Environment: FP_DEV_PORT (nginx, 8080), FP_DEV_DB_PORT (MariaDB, 23306),
# FP_DEV_WORKERS (2), FP_DEV_VAR (state directory, ./var: a second stack
# beside the first needs its own, and other ports); for test:
# FP_SKIP_SANITIZERS=1, FP_SKIP_VALGRIND=1, FP_SKIP_DISTCHECK=1,
# FP_SKIP_SOAK=1 (the 1-minute soak after the plain build),
# FP_SKIP_FUZZ=1, FP_KEEP_BUILD=1, FP_TEST_FILES (integration subset);
# for fuzz: FP_FUZZ_JOBS (targets at once, 1), FP_FUZZ_WORK (keep build
# and corpora there), FP_FUZZ_RUNS (stop each target after that many
# executions), see fuzz/run.sh.

set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VAR=${FP_DEV_VAR:-$SRC/var}
BUILD=$SRC/build
API=/solaruser/api/v1/sec/user/oscp
OSCP_BASE=/oscp/fp/2.0
DEV_PORT=${FP_DEV_PORT:-8080}
DEV_DB_PORT=${FP_DEV_DB_PORT:-23306}
DEV_WORKERS=${FP_DEV_WORKERS:-2}
JOBS=${FP_JOBS:-2}

STACK_SRCDIR=$SRC
# shellcheck source=scripts/stack.sh
. "$SRC/scripts/stack.sh"

say() { printf 'dev.sh: %s\n' "$*"; }
die() {
	printf 'dev.sh: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p;}' "$0"
	exit "${1:-2}"
}

# Generate configure when it is missing or older than its inputs.
regen() {
	local f need=0
	[ -x "$SRC/configure" ] || need=1
	for f in configure.ac Makefile.am m4/*.m4; do
		[ "$SRC/$f" -nt "$SRC/configure" ] && need=1
	done
	if [ "$need" = 1 ]; then
		say "autoreconf -fi"
		(cd "$SRC" && autoreconf -fi) || die "autoreconf failed"
	fi
}

# An in-tree configure blocks out-of-tree builds; use it then.
builddir_for_run() {
	if [ -f "$SRC/config.status" ]; then
		echo "$SRC"
	else
		echo "$BUILD"
	fi
}

build_for_run() {
	local b
	b=$(builddir_for_run)
	mkdir -p "$b"
	if [ ! -f "$b/config.status" ]; then
		say "configuring in $b"
		(cd "$b" && "$SRC/configure" --enable-werror >configure.out 2>&1) || {
			tail -n 30 "$b/configure.out" >&2
			die "configure failed (log: $b/configure.out, $b/config.log)"
		}
	fi
	say "make -j$JOBS in $b"
	make -C "$b" -j"$JOBS" >/dev/null || die "make failed"
	STACK_BUILDDIR=$b
}

# ---------------------------------------------------------------------
# run

cmd_run() {
	local conf=$VAR/etc/oscp-fp.conf out token secret url
	stack_install_deps || die "installing packages failed"
	regen
	build_for_run

	stack__port_busy "$DEV_PORT" &&
	    die "port $DEV_PORT is in use (FP_DEV_PORT=... to choose another)"
	stack__port_busy "$DEV_DB_PORT" &&
	    die "port $DEV_DB_PORT is in use (FP_DEV_DB_PORT=...; is another dev.sh run up?)"

	mkdir -p "$VAR" && chmod 755 "$VAR"
	# A fresh database has no demo tenant yet.
	[ -d "$VAR/db/data/mysql" ] || rm -f "$VAR/demo.env"
	stack_traps
	stack_db_start "$VAR/db" "$DEV_DB_PORT" || die "MariaDB did not start"
	# What the FP announces in Register: peers call it back here.
	STACK_FP_BASE_URL=http://127.0.0.1:$DEV_PORT$OSCP_BASE
	stack_write_conf "$conf" "$VAR/run" "$DEV_WORKERS" ||
	    die "cannot write $conf"
	say "oscp-admin migrate"
	stack_admin migrate || die "migrate failed"
	stack_fpd_start "$VAR/run" "$conf" || die "oscp-fpd did not start"
	stack_nginx_start "$VAR/nginx" "$DEV_PORT" "$STACK_FPD_SOCK" \
	    "$SRC/nginx/oscp-fp.dev.conf" || die "nginx did not start"

	if [ ! -s "$VAR/demo.env" ]; then
		say "creating demo user demo@example.com"
		stack_admin user add demo@example.com >/dev/null ||
		    say "(user add failed; assuming demo@example.com exists)"
		stack_admin node add demo@example.com 1 >/dev/null 2>&1 || true
		out=$(stack_admin token add demo@example.com) ||
		    die "token add failed"
		read -r token secret <<<"$out"
		if [ -z "$token" ] || [ -z "$secret" ]; then
			die "unexpected token add output"
		fi
		(umask 077 && printf 'DEMO_TOKEN=%s\nDEMO_SECRET=%s\n' \
		    "$token" "$secret" >"$VAR/demo.env")
	fi
	# The port this stack answers on, for ./dev.sh curl and peer.
	sed -i '/^DEMO_PORT=/d' "$VAR/demo.env" &&
	    printf 'DEMO_PORT=%s\n' "$DEV_PORT" >>"$VAR/demo.env"
	# shellcheck disable=SC1091
	. "$VAR/demo.env"
	url=http://127.0.0.1:$DEV_PORT

	cat <<EOF

oscp-fp is running:  $url   (logs: $VAR/run/oscp-fpd.log, $VAR/nginx/)
config: $conf
demo user demo@example.com, token $DEMO_TOKEN (secret in $VAR/demo.env; node 1 registered)

A signed request (valid for 15 minutes):

$(node "$SRC/tests/integration/sign.mjs" --token "$DEMO_TOKEN" \
    --secret "$DEMO_SECRET" "$url$API/capacity-providers")

The FP's OSCP base URL (fp_base_url: peers register and call here):

  $STACK_FP_BASE_URL

Or let dev.sh sign for you, from another terminal:

  ./dev.sh curl /capacity-providers
  ./dev.sh curl POST /capacity-providers '{"name":"cp1","enabled":true,"baseUrl":"http://127.0.0.1:9/oscp/cp/2.0"}'
  ./dev.sh admin user list

Watch OSCP: ./dev.sh peer co in one terminal, then ./dev.sh peer cp in another.

Ctrl-C stops everything.
EOF
	while kill -0 "$STACK_DB_PID" 2>/dev/null &&
	    kill -0 "$STACK_FPD_PID" 2>/dev/null &&
	    kill -0 "$STACK_NGINX_PID" 2>/dev/null; do
		sleep 1
	done
	die "a server exited; see $VAR/run/oscp-fpd.log $VAR/run/oscp-fpd.stderr $VAR/nginx/error.log $VAR/db/error.log"
}

# ---------------------------------------------------------------------
# admin, curl

cmd_admin() {
	local conf=$VAR/etc/oscp-fp.conf
	[ -f "$conf" ] || die "no $conf: run ./dev.sh run first"
	STACK_BUILDDIR=$(builddir_for_run)
	STACK_CONF=$conf
	stack_admin "$@"
}

# The curl command line of METHOD PATH [BODY] signed as the demo user
# (PATH under the management API unless it names another root).  With
# DATA_FILE set the body is that file's bytes.
signed_cmd() {
	local method=$1 path=$2 body=${3:-}
	case $path in
	/solaruser/* | /oscp/* | /ping*) ;;
	/*) path=$API$path ;;
	*) path=$API/$path ;;
	esac
	if [ -n "${DATA_FILE:-}" ]; then
		node "$SRC/tests/integration/sign.mjs" --token "$DEMO_TOKEN" \
		    --secret "$DEMO_SECRET" --method "$method" \
		    --body-file "$DATA_FILE" "http://127.0.0.1:$DEV_PORT$path"
	elif [ -n "$body" ]; then
		node "$SRC/tests/integration/sign.mjs" --token "$DEMO_TOKEN" \
		    --secret "$DEMO_SECRET" --method "$method" --body "$body" \
		    "http://127.0.0.1:$DEV_PORT$path"
	else
		node "$SRC/tests/integration/sign.mjs" --token "$DEMO_TOKEN" \
		    --secret "$DEMO_SECRET" --method "$method" \
		    "http://127.0.0.1:$DEV_PORT$path"
	fi
}

# The demo token, and the port ./dev.sh run recorded (FP_DEV_PORT wins).
demo_env() {
	[ -s "$VAR/demo.env" ] || die "no demo token: run ./dev.sh run first"
	# shellcheck disable=SC1091
	. "$VAR/demo.env"
	DEV_PORT=${FP_DEV_PORT:-${DEMO_PORT:-$DEV_PORT}}
}

cmd_curl() {
	local method=GET cmd rc usage_line
	local -a args=()
	usage_line="usage: ./dev.sh curl [METHOD] PATH [BODY | --data-file FILE]"
	DATA_FILE=
	while [ $# -gt 0 ]; do
		case $1 in
		--data-file)
			[ $# -ge 2 ] || die "--data-file needs a file"
			DATA_FILE=$2
			[ -f "$DATA_FILE" ] && [ -r "$DATA_FILE" ] ||
			    die "--data-file $DATA_FILE: no such readable file"
			shift 2
			;;
		--data-file=*)
			DATA_FILE=${1#--data-file=}
			[ -f "$DATA_FILE" ] && [ -r "$DATA_FILE" ] ||
			    die "--data-file $DATA_FILE: no such readable file"
			shift
			;;
		*) args+=("$1"); shift ;;
		esac
	done
	set -- "${args[@]}"
	# A method word: a known one in either case, or any all-capitals
	# word, or any word followed by an absolute path.
	case ${1:-} in
	GET | POST | PUT | DELETE | PATCH | HEAD | OPTIONS | get | post | put | delete | patch | head | options)
		method=$1
		shift
		;;
	/*) ;;
	*)
		if [[ ${1:-} =~ ^[A-Z]+$ ]] ||
		    { [ $# -ge 2 ] && [[ $2 == /* ]]; }; then
			die "unknown method '$1' (GET, POST, PUT, DELETE, PATCH, HEAD or OPTIONS); $usage_line"
		fi
		;;
	esac
	[ $# -ge 1 ] && [ $# -le 2 ] || die "$usage_line"
	[ -z "$DATA_FILE" ] || [ $# -eq 1 ] ||
	    die "give either BODY or --data-file, not both"
	demo_env
	cmd=$(signed_cmd "$method" "$1" "${2:-}") || exit 1
	# Like a script wants: non-zero on a failed connection or 4xx/5xx,
	# with the body still printed.
	eval "$cmd --fail-with-body"
	rc=$?
	echo
	[ "$rc" = 0 ] || printf 'dev.sh: curl exited %s\n' "$rc" >&2
	exit "$rc"
}

# ---------------------------------------------------------------------
# peer

# dev_api METHOD PATH [BODY]: a signed request; prints the response body,
# fails (saying why on stderr) unless the status is 2xx.
dev_api() {
	local cmd out status
	cmd=$(signed_cmd "$@") || return 1
	# without -i: the body, then the status on a line of its own
	out=$(eval "${cmd/ -i / } -w '\n%{http_code}'") || return 1
	status=${out##*$'\n'}
	out=${out%$'\n'*}
	case $status in
	2??) printf '%s\n' "$out" ;;
	*)
		printf 'dev.sh: %s %s: HTTP %s %s\n' "$1" "$2" "$status" \
		    "$out" >&2
		return 1
		;;
	esac
}

# The npm packages of tests/integration (ajv: the peer checks what it
# receives against the OSCP schemas) in var/node-deps, installed as
# tests/integration/run does: again only when package.json changed.
node_deps() {
	local deps=$VAR/node-deps npm_cmd=install
	if cmp -s "$SRC/tests/integration/package.json" "$deps/package.json" &&
	    [ -d "$deps/node_modules" ] && [ -f "$deps/.installed" ]; then
		return 0
	fi
	say "installing npm packages into $deps"
	mkdir -p "$deps" || return 1
	rm -rf "$deps/node_modules" "$deps/.installed" "$deps/package-lock.json"
	cp "$SRC/tests/integration/package.json" "$deps/" || return 1
	if [ -f "$SRC/tests/integration/package-lock.json" ]; then
		cp "$SRC/tests/integration/package-lock.json" "$deps/" ||
		    return 1
		npm_cmd=ci
	fi
	(cd "$deps" && npm "$npm_cmd" --no-audit --no-fund --loglevel=error \
	    >"$deps/npm.log" 2>&1) || {
		tail -n 30 "$deps/npm.log" >&2
		return 1
	}
	: >"$deps/.installed"
}

# What the demo peer is told to do (its stdin), then the terminal: register;
# once the FP's own Register reached the peer (registrationStatus
# Registered, the peer now calls with the FP's new token), hand-shake, a
# heartbeat and, with a group, a forecast.
peer_script() {
	local kind=$1 id=$2 group=$3 st="" i
	sleep 1
	echo register
	for ((i = 0; i < 75; i++)); do
		st=$(dev_api GET "/$kind/$id" 2>/dev/null |
		    jq -r '.data.registrationStatus' 2>/dev/null)
		[ "$st" = Registered ] && break
		sleep 0.2
	done
	[ "$st" = Registered ] ||
	    say "still ${st:-unknown} after 15 s: see the events below" >&2
	sleep 0.5
	echo "handshake 60"
	sleep 1
	echo "heartbeat 120"
	if [ -n "$group" ]; then
		sleep 1
		echo "forecast $group 11"
	fi
	sleep 1
	say "events: ./dev.sh curl /$kind/$id/events" >&2
	exec cat
}

cmd_peer() {
	local role=${1:-cp} kind name out id token co="" group="" fp rc feed
	local feeder
	case $role in
	cp) kind=capacity-providers ;;
	co) kind=capacity-optimizers ;;
	*) die "usage: ./dev.sh peer [cp|co]" ;;
	esac
	demo_env
	command -v jq >/dev/null 2>&1 || die "jq not found (./dev.sh run installs it)"
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    "http://127.0.0.1:$DEV_PORT/ping")" = 200 ] ||
	    die "nothing answers on 127.0.0.1:$DEV_PORT: start ./dev.sh run first (same FP_DEV_PORT)"
	node_deps || die "npm install failed (log: $VAR/node-deps/npm.log)"
	fp=http://127.0.0.1:$DEV_PORT$OSCP_BASE

	name="demo $role $(date +%H:%M:%S)"
	out=$(dev_api POST "/$kind" "{\"name\":\"$name\",\"enabled\":true,\"registrationStatus\":\"Pending\"}") ||
	    die "could not create the $role"
	id=$(jq -r '.data.configId' <<<"$out")
	token=$(jq -r '.data.token' <<<"$out")
	if [ -z "$id" ] || [ "$id" = null ] || [ -z "$token" ] ||
	    [ "$token" = null ]; then
		die "unexpected answer: $out"
	fi
	say "created $role $id \"$name\"; its FP token (shown once) goes to the peer"
	if [ "$role" = co ]; then
		echo "$id" >"$VAR/peer-co.id"
	elif [ -s "$VAR/peer-co.id" ]; then
		co=$(cat "$VAR/peer-co.id")
		group=demo-group-$id
		if dev_api POST /capacity-groups "{\"name\":\"demo group $id\",\"identifier\":\"$group\",\"enabled\":true,\"capacityProviderId\":$id,\"capacityOptimizerId\":$co,\"capacityProviderMeasurementPeriod\":\"FifteenMinute\",\"capacityOptimizerMeasurementPeriod\":\"FifteenMinute\"}" >/dev/null; then
			say "created group $group: CP $id -> CO $co (the forecast goes to the peer of ./dev.sh peer co)"
		else
			say "no group with CO $co (gone?): no forecast"
			group=
		fi
	else
		say "no CO yet (./dev.sh peer co in another terminal first): no group, no forecast"
	fi
	say "the peer registers, hand-shakes and sends a heartbeat; the FP's heartbeats come within a minute"
	echo

	# The peer reads the script, then the terminal; "quit" or Ctrl-C ends
	# it, and then the script (or its cat) goes too.
	exec {feed}< <(peer_script "$kind" "$id" "$group")
	feeder=$!
	FP_NODE_DEPS_DIR=$VAR/node-deps node "$SRC/tests/integration/peer.mjs" \
	    --role "$role" --fp "$fp" --fp-token "$token" <&"$feed"
	rc=$?
	exec {feed}<&-
	kill "$feeder" 2>/dev/null
	return "$rc"
}

# ---------------------------------------------------------------------
# fuzz

cmd_fuzz() {
	stack_install_deps || die "installing packages failed"
	exec "$SRC/fuzz/run.sh" "$@"
}

# ---------------------------------------------------------------------
# test

# Show the logs of failed tests (automake's *.log next to each test).
show_test_logs() {
	local b=$1 f
	for f in "$b/tests/unit/unit.log" "$b/tests/integration/run.log"; do
		[ -f "$f" ] || continue
		if grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "${f%.log}.trs" 2>/dev/null; then
			echo "==================== $f"
			tail -n 200 "$f"
		fi
	done
	[ -f "$b/test-suite.log" ] && grep -E '^(# |FAIL|ERROR)' "$b/test-suite.log"
}

# Count what ran in build B: CUnit tests and node tests.
count_tests() {
	local b=$1 u i
	u=$(awk '$1 == "tests" && $2 ~ /^[0-9]+$/ { print $4 }' \
	    "$b/tests/unit/unit.log" 2>/dev/null | tail -n 1)
	i=$(sed -n 's/^integration: \([0-9][0-9]*\) passed.*/\1/p' \
	    "$b/tests/integration/run.log" 2>/dev/null | tail -n 1)
	echo $(( ${u:-0} + ${i:-0} ))
}

# check_build NAME DIR CONFIGURE-ARGS...: configure, make, make check.
check_build() {
	local name=$1 b=$2 t0
	shift 2
	t0=$SECONDS
	say "[$name] configure $* (in $b)"
	(cd "$b" && "$SRC/configure" "$@" >configure.out 2>&1) || {
		tail -n 40 "$b/configure.out"
		say "[$name] configure failed (see $b/config.log)"
		return 1
	}
	say "[$name] make"
	make -C "$b" -j"$JOBS" >"$b/make.out" 2>&1 || {
		grep -E -B2 -A8 'error|warning' "$b/make.out" | head -n 120
		say "[$name] make failed"
		return 1
	}
	say "[$name] make check"
	if ! make -C "$b" -j"$JOBS" check >"$b/check.out" 2>&1; then
		grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS|# )' "$b/check.out"
		show_test_logs "$b"
		say "[$name] make check failed"
		return 1
	fi
	grep -hE '^(PASS|FAIL|ERROR|SKIP):' "$b/check.out"
	grep -hE '^(unit|integration): ' "$b/tests/unit/unit.log" \
	    "$b/tests/integration/run.log" 2>/dev/null
	say "[$name] passed in $((SECONDS - t0)) s"
}

cmd_test() {
	local root b1 b2 total=0 n t0
	stack_install_deps || die "installing packages failed"
	regen
	[ -f "$SRC/config.status" ] &&
	    die "the source tree is configured in-tree; run 'make distclean' there first"
	root=$(mktemp -d "${TMPDIR:-/tmp}/oscp-fp-test.XXXXXX") || die "mktemp"
	chmod 755 "$root"
	TEST_ROOT=$root
	trap cleanup_test EXIT
	# One npm install for every build below.
	export FP_NODE_DEPS_DIR=$root/node-deps

	b1=$root/plain
	mkdir -p "$b1"
	check_build plain "$b1" --enable-werror || fail_test
	n=$(count_tests "$b1")
	total=$((total + n))

	if [ "${FP_SKIP_SOAK:-0}" != 1 ]; then
		say "[soak] soak/run 1 (in $b1)"
		t0=$SECONDS
		if ! FP_SOAK_BUILDDIR=$b1 FP_SOAK_OUT=$b1/soak.json \
		    "$SRC/soak/run" 1 >"$b1/soak.out" 2>&1; then
			tail -n 40 "$b1/soak.out"
			say "[soak] failed"
			fail_test
		fi
		grep -E '^soak: (minute|passed)' "$b1/soak.out"
		say "[soak] passed in $((SECONDS - t0)) s"
	fi

	if [ "${FP_SKIP_SANITIZERS:-0}" != 1 ]; then
		b2=$root/sanitizers
		mkdir -p "$b2"
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		    check_build sanitizers "$b2" --enable-sanitizers --enable-werror ||
		    fail_test
		n=$(count_tests "$b2")
		total=$((total + n))
	fi

	if [ "${FP_SKIP_FUZZ:-0}" != 1 ]; then
		say "[fuzz] every target 10 s (ASan+UBSan), regressions replayed"
		t0=$SECONDS
		if ! FP_FUZZ_WORK=$root/fuzz "$SRC/fuzz/run.sh" 10 \
		    >"$root/fuzz.out" 2>&1; then
			tail -n 60 "$root/fuzz.out"
			say "[fuzz] failed"
			fail_test
		fi
		sed -n '/^target /,$p' "$root/fuzz.out"
		say "[fuzz] passed in $((SECONDS - t0)) s"
	fi

	if [ "${FP_SKIP_VALGRIND:-0}" != 1 ]; then
		say "[valgrind] make check-valgrind (in $b1)"
		t0=$SECONDS
		if ! make -C "$b1" check-valgrind >"$b1/valgrind.out" 2>&1; then
			grep -vE '^ *(✔|ℹ)' "$b1/valgrind.out" | tail -n 150
			say "[valgrind] failed"
			fail_test
		fi
		grep -E '^integration: [0-9]+ passed' "$b1/valgrind.out"
		n=$(sed -n 's/^integration: \([0-9][0-9]*\) passed.*/\1/p' \
		    "$b1/valgrind.out" | tail -n 1)
		total=$((total + ${n:-0}))
		say "[valgrind] passed in $((SECONDS - t0)) s"
	fi

	if [ "${FP_SKIP_DISTCHECK:-0}" != 1 ]; then
		say "[distcheck] make distcheck"
		if ! make -C "$b1" -j"$JOBS" distcheck >"$b1/distcheck.out" 2>&1; then
			tail -n 60 "$b1/distcheck.out"
			for f in "$b1"/oscp-fp-*/_build/sub/tests/unit/unit.log \
			    "$b1"/oscp-fp-*/_build/sub/tests/integration/run.log; do
				[ -f "$f" ] || continue
				echo "==================== $f"
				tail -n 100 "$f"
			done
			say "[distcheck] failed"
			fail_test
		fi
		grep -E 'archives ready for distribution|^oscp-fp-.*\.tar' \
		    "$b1/distcheck.out" | head -n 3
		say "[distcheck] passed"
	fi
	say "test: all passed"
	echo "tests: $total passed, 0 failed"
}

TEST_ROOT=
TEST_FAILED=0
cleanup_test() {
	[ -n "$TEST_ROOT" ] || return 0
	if [ "$TEST_FAILED" = 1 ] || [ "${FP_KEEP_BUILD:-0}" = 1 ]; then
		say "build trees kept in $TEST_ROOT"
	else
		rm -rf "$TEST_ROOT"
	fi
}

fail_test() {
	TEST_FAILED=1
	say "test: FAILED"
	exit 1
}

# ---------------------------------------------------------------------

case ${1:-} in
run) shift; cmd_run "$@" ;;
admin) shift; cmd_admin "$@" ;;
curl) shift; cmd_curl "$@" ;;
peer) shift; cmd_peer "$@" ;;
test) shift; cmd_test "$@" ;;
fuzz) shift; cmd_fuzz "$@" ;;
bench)
	shift
	[ -x "$SRC/bench/run" ] || die "no bench/run"
	exec "$SRC/bench/run" "$@"
	;;
soak)
	shift
	[ -x "$SRC/soak/run" ] || die "no soak/run"
	exec "$SRC/soak/run" "$@"
	;;
-h | --help | help) usage 0 ;;
"") usage 2 ;;
*)
	printf "dev.sh: error: unknown command '%s'\n" "$1" >&2
	usage 2 >&2
	;;
esac
