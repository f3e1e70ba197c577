# shellcheck shell=bash disable=SC2015,SC2034
# scripts/stack.sh -- bash functions that run a private oscp-fp stack:
# MariaDB, oscp-fpd and nginx, all on loopback, all under directories the
# caller names, nothing system-wide touched (no service, no /etc, no
# /run).  Sourced by dev.sh, tests/integration/run and bench/.
#
# Recipes and pitfalls: shared reference stack-recipes.md §2-§4.
#
#   stack_install_deps            apt-get install only what is missing
#   stack_free_port [LO HI]       print a free loopback port (20000-32000)
#   stack_db_start DIR PORT       private mariadbd; database+user `oscp`
#   stack_db_stop
#   stack_write_conf CONF RUNDIR [WORKERS]   oscp-fp config for this stack
#   stack_fpd_start RUNDIR CONF   oscp-fpd in the background
#   stack_fpd_stop
#   stack_nginx_start DIR PORT SOCK [TEMPLATE]   nginx in the foreground,
#                                 backgrounded; waits until it answers
#   stack_nginx_stop
#   stack_stop_all                everything above that is running
#   stack_traps                   stack_stop_all on EXIT, INT and TERM
#
# Variables the caller may set first: STACK_SRCDIR (source tree, default
# the parent of this file), STACK_BUILDDIR (where oscp-fpd/oscp-admin
# were built, default STACK_SRCDIR), STACK_QUIET=1, STACK_NGINX_USER and
# STACK_NGINX_GROUP (nginx's workers when run as root: nobody and its
# group).  Variables the
# functions set for the caller: STACK_DB_{DIR,SOCK,PORT,NAME,USER,PASSWORD,PID},
# STACK_CONF, STACK_FPD_{SOCK,LOG,STDERR,PID,BIN}, STACK_NGINX_{DIR,PORT,PID}.

STACK_SRCDIR=${STACK_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
STACK_BUILDDIR=${STACK_BUILDDIR:-$STACK_SRCDIR}
STACK_PORTS_TAKEN=${STACK_PORTS_TAKEN:-}
# nginx's workers run as this user and group when its master is root
# (stack_nginx_start says so with -g); oscp-fpd gives the FastCGI socket
# that group (listen_group, stack_write_conf), since the socket is 0660.
STACK_NGINX_USER=${STACK_NGINX_USER:-nobody}
STACK_NGINX_GROUP=${STACK_NGINX_GROUP:-$(id -gn "$STACK_NGINX_USER" 2>/dev/null ||
    echo nogroup)}

# nginx, mariadbd and friends live in sbin, which a non-root PATH lacks.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin ;;
esac

stack_log() {
	[ "${STACK_QUIET:-0}" = 1 ] || printf 'stack: %s\n' "$*" >&2
}

stack_die() {
	printf 'stack: error: %s\n' "$*" >&2
	return 1
}

# Run a command as root (sudo when we are not root).
stack__root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

# ---------------------------------------------------------------------
# Packages

STACK_DEB_PACKAGES="build-essential autoconf automake libtool pkg-config
mariadb-server mariadb-client libmariadb-dev libfcgi-dev libyajl-dev
libcurl4-openssl-dev libssl-dev libcunit1-dev nginx wrk jq nodejs npm curl
valgrind apache2 clang libclang-rt-14-dev"
# install.test.mjs: sd_notify (libsystemd-dev), systemd-analyze only
# (systemd; nothing is started), man -l and groff -ww on the man pages,
# python3 for a NOTIFY_SOCKET listener.
STACK_DEB_PACKAGES="$STACK_DEB_PACKAGES libsystemd-dev systemd man-db
groff-base python3"

# Install the Debian packages the build, the stack and the tests need;
# apt only runs when one of them is missing.  Node and npm count as
# present when usable binaries are on PATH (e.g. a NodeSource nodejs,
# which conflicts with Debian's npm package).
stack_install_deps() {
	local p missing=""
	for p in $STACK_DEB_PACKAGES; do
		case $p in
		nodejs) command -v node >/dev/null 2>&1 && continue ;;
		npm) command -v npm >/dev/null 2>&1 && continue ;;
		esac
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	stack_log "installing:$missing"
	stack__root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
	    return 1
	# shellcheck disable=SC2086
	stack__root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing
}

# ---------------------------------------------------------------------
# Ports

# Is something listening on PORT?  Only a listener counts: a TIME_WAIT
# left by an earlier run's clients does not stop a server from binding
# the port again (our servers set SO_REUSEADDR).
stack__port_busy() {
	local port=$1
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Htln "( sport = :$port )" 2>/dev/null)" ]
		return
	fi
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Print a free port in [LO, HI] (default 20000-32000, below the ephemeral
# range), starting at a random point so parallel runs rarely collide.
# Ports handed out earlier in this shell are not handed out again.
stack_free_port() {
	local lo=${1:-20000} hi=${2:-32000} span i port
	span=$((hi - lo + 1))
	port=$((lo + (RANDOM * 32768 + RANDOM) % span))
	for ((i = 0; i < span; i++)); do
		case " $STACK_PORTS_TAKEN " in
		*" $port "*) ;;
		*)
			if ! stack__port_busy "$port"; then
				STACK_PORTS_TAKEN="$STACK_PORTS_TAKEN $port"
				echo "$port"
				return 0
			fi
			;;
		esac
		port=$((port + 1))
		[ "$port" -gt "$hi" ] && port=$lo
	done
	stack_die "no free port in $lo-$hi"
}

# ---------------------------------------------------------------------
# Processes

# Start "$@" in its own session (so a forced stop can take its whole
# process group), stdout+stderr appended to LOG; sets STACK__PID.
stack__spawn() {
	local log=$1
	shift
	if command -v setsid >/dev/null 2>&1; then
		setsid "$@" >>"$log" 2>&1 </dev/null &
	else
		"$@" >>"$log" 2>&1 </dev/null &
	fi
	STACK__PID=$!
}

# Stop PID: SIGNAL (default TERM), wait up to SECS (default 20), then
# SIGKILL its process group.
stack__stop_pid() {
	local pid=$1 sig=${2:-TERM} secs=${3:-20} i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -"$sig" "$pid" 2>/dev/null
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		stack_log "pid $pid did not stop on SIG$sig; killing it"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# Make DIR and every directory above it traversable for nginx's workers,
# which run as nobody when the master is root (stack-recipes §3).
stack__open_path() {
	local d
	chmod 755 "$1" 2>/dev/null
	d=$(cd "$1" && pwd)
	while [ -n "$d" ] && [ "$d" != / ]; do
		if [ -n "$(find "$d" -maxdepth 0 ! -perm -o+x 2>/dev/null)" ]; then
			stack_log "warning: $d is not searchable by others;" \
			    "nginx workers (nobody) cannot reach the socket"
		fi
		d=$(dirname "$d")
	done
}

# ---------------------------------------------------------------------
# MariaDB (stack-recipes §2)

# stack_db_start DIR PORT: initialise DIR/data on first use, start
# mariadbd on 127.0.0.1:PORT with its socket at DIR/mysql.sock, create
# database oscp and user oscp (password kept in DIR/oscp.password) for
# both 'localhost' (socket) and '127.0.0.1' (TCP).  Durable commits and
# MariaDB's thread pool, as README's Deployment recommends.  Extra server
# options may come in STACK_DB_ARGS (the benchmark tunes the buffer pool).
stack_db_start() {
	local dir=$1 port=$2 asroot="" i
	[ -n "$dir" ] && [ -n "$port" ] || {
		stack_die "usage: stack_db_start DIR PORT"
		return 1
	}
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)
	[ "$(id -u)" = 0 ] && asroot=--user=root
	STACK_DB_DIR=$dir
	STACK_DB_SOCK=$dir/mysql.sock
	STACK_DB_PORT=$port
	STACK_DB_NAME=oscp
	STACK_DB_USER=oscp
	if [ ${#STACK_DB_SOCK} -gt 100 ]; then
		stack_die "socket path too long (${#STACK_DB_SOCK} > 100): $STACK_DB_SOCK"
		return 1
	fi
	# Never touch a live server's files (its socket above all).
	if [ -s "$dir/mariadbd.pid" ] &&
	    kill -0 "$(cat "$dir/mariadbd.pid" 2>/dev/null)" 2>/dev/null; then
		stack_die "mariadbd already running on $dir (pid $(cat "$dir/mariadbd.pid"))"
		return 1
	fi
	if [ ! -d "$dir/data/mysql" ]; then
		rm -rf "$dir/data"
		if ! mariadb-install-db --no-defaults --datadir="$dir/data" \
		    $asroot --auth-root-authentication-method=normal \
		    --skip-test-db >"$dir/install.log" 2>&1; then
			tail -n 20 "$dir/install.log" >&2
			stack_die "mariadb-install-db failed (log: $dir/install.log)"
			return 1
		fi
	fi
	rm -f "$STACK_DB_SOCK"
	# --no-defaults must come first.
	# shellcheck disable=SC2086
	stack__spawn "$dir/mariadbd.out" mariadbd --no-defaults \
	    --datadir="$dir/data" $asroot \
	    --socket="$STACK_DB_SOCK" --port="$port" --bind-address=127.0.0.1 \
	    --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
	    --skip-name-resolve --innodb-flush-log-at-trx-commit=1 \
	    --thread-handling=pool-of-threads \
	    --max-connections=1000 --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_general_ci ${STACK_DB_ARGS:-}
	STACK_DB_PID=$STACK__PID
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$STACK_DB_PID" 2>/dev/null; then
			tail -n 30 "$dir/error.log" >&2
			STACK_DB_PID=
			stack_die "mariadbd exited (log: $dir/error.log)"
			return 1
		fi
		mariadb-admin --no-defaults --socket="$STACK_DB_SOCK" -uroot \
		    ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	if [ "$i" -ge 600 ]; then
		stack_die "mariadbd not ready after 60 s (log: $dir/error.log)"
		return 1
	fi
	if [ ! -s "$dir/oscp.password" ]; then
		(umask 077 && openssl rand -hex 16 >"$dir/oscp.password") ||
		    return 1
	fi
	STACK_DB_PASSWORD=$(cat "$dir/oscp.password")
	stack_db_root -e "
	    CREATE DATABASE IF NOT EXISTS oscp
	        CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
	    CREATE USER IF NOT EXISTS 'oscp'@'localhost'
	        IDENTIFIED BY '$STACK_DB_PASSWORD';
	    CREATE USER IF NOT EXISTS 'oscp'@'127.0.0.1'
	        IDENTIFIED BY '$STACK_DB_PASSWORD';
	    GRANT ALL ON oscp.* TO 'oscp'@'localhost';
	    GRANT ALL ON oscp.* TO 'oscp'@'127.0.0.1';" || {
		stack_die "could not create database and user"
		return 1
	}
	stack_log "mariadb: pid $STACK_DB_PID, 127.0.0.1:$port, $STACK_DB_SOCK"
}

# The mariadb client as root on the private socket ("$@" appended).
stack_db_root() {
	mariadb --no-defaults -uroot --socket="$STACK_DB_SOCK" "$@"
}

# The same as a single command line (for FP_TEST_MYSQL and scripts).
stack_db_cmdline() {
	printf 'mariadb --no-defaults -uroot --socket=%s %s' \
	    "$STACK_DB_SOCK" "${1:-oscp}"
}

stack_db_stop() {
	[ -n "${STACK_DB_PID:-}" ] || return 0
	stack__stop_pid "$STACK_DB_PID" TERM 60
	stack_log "mariadb: stopped"
	STACK_DB_PID=
}

# ---------------------------------------------------------------------
# oscp-fpd

# stack_write_conf CONF RUNDIR [WORKERS]: the oscp-fp config for this
# stack.  FastCGI socket RUNDIR/oscp-fp.sock (RUNDIR made 0755; as root
# the socket gets STACK_NGINX_GROUP, nginx's workers' group, otherwise
# nginx runs as we do), database over the private socket, master key
# next to CONF (generated once, mode 0600), schema from the source tree
# (STACK_SCHEMA_DIR overrides), log RUNDIR/oscp-fpd.log, fp_base_url
# STACK_FP_BASE_URL, outbound http and private addresses allowed.  Needs
# stack_db_start first.  STACK_CONF_EXTRA is appended verbatim.
stack_write_conf() {
	local conf=$1 rundir=$2 workers=${3:-2} confdir key group=
	[ -n "$conf" ] && [ -n "$rundir" ] || {
		stack_die "usage: stack_write_conf CONF RUNDIR [WORKERS]"
		return 1
	}
	[ -n "${STACK_DB_SOCK:-}" ] || {
		stack_die "stack_write_conf: start the database first"
		return 1
	}
	mkdir -p "$rundir" "$(dirname "$conf")" || return 1
	rundir=$(cd "$rundir" && pwd)
	confdir=$(cd "$(dirname "$conf")" && pwd)
	conf=$confdir/$(basename "$conf")
	stack__open_path "$rundir"
	key=$confdir/master.key
	if [ ! -s "$key" ]; then
		(umask 077 && printf '%s' "$(openssl rand -hex 32)" >"$key") ||
		    return 1
	fi
	chmod 600 "$key"
	[ "$(id -u)" = 0 ] && group="listen_group = $STACK_NGINX_GROUP"
	STACK_CONF=$conf
	STACK_FPD_SOCK=$rundir/oscp-fp.sock
	STACK_FPD_LOG=$rundir/oscp-fpd.log
	if [ ${#STACK_FPD_SOCK} -gt 100 ]; then
		stack_die "socket path too long: $STACK_FPD_SOCK"
		return 1
	fi
	(umask 077 && cat >"$conf" <<EOF
# oscp-fp configuration written by scripts/stack.sh
listen = $STACK_FPD_SOCK
$group
workers = $workers
pid_file = $rundir/oscp-fpd.pid
db_host = localhost
db_socket = $STACK_DB_SOCK
db_port = $STACK_DB_PORT
db_name = $STACK_DB_NAME
db_user = $STACK_DB_USER
db_password = $STACK_DB_PASSWORD
master_key_file = $key
schema_dir = ${STACK_SCHEMA_DIR:-$STACK_SRCDIR/schema}
log_file = $STACK_FPD_LOG
# OSCP: what Register announces, and outbound calls to peers on loopback
# over plain http (a private stack's peers are local test programs).
fp_base_url = ${STACK_FP_BASE_URL:-}
outbound_allow_http = true
outbound_allow_private = true
${STACK_CONF_EXTRA:-}
EOF
	) || return 1
}

# Which oscp-fpd / oscp-admin to run: STACK_FPD / STACK_ADMIN, else the
# build tree's, else PATH's.
stack__bin() {
	local name=$1 override=$2 b
	if [ -n "$override" ]; then
		echo "$override"
		return 0
	fi
	for b in "$STACK_BUILDDIR/$name" "$STACK_BUILDDIR/src/$name"; do
		if [ -x "$b" ]; then
			echo "$b"
			return 0
		fi
	done
	command -v "$name" || {
		stack_die "$name not found (build it first)"
		return 1
	}
}

stack_admin_bin() {
	stack__bin oscp-admin "${STACK_ADMIN:-}"
}

# Run oscp-admin against STACK_CONF.
stack_admin() {
	local bin
	bin=$(stack_admin_bin) || return 1
	"$bin" -c "$STACK_CONF" "$@"
}

# stack_fpd_start RUNDIR CONF: start oscp-fpd -f (master in the
# foreground, so its PID is ours), stdout/stderr appended to
# RUNDIR/oscp-fpd.stderr; wait until the FastCGI socket exists.
stack_fpd_start() {
	local rundir=$1 conf=$2 sock i
	[ -n "$rundir" ] && [ -n "$conf" ] || {
		stack_die "usage: stack_fpd_start RUNDIR CONF"
		return 1
	}
	STACK_FPD_BIN=$(stack__bin oscp-fpd "${STACK_FPD:-}") || return 1
	sock=$(sed -n 's/^[[:space:]]*listen[[:space:]]*=[[:space:]]*//p' \
	    "$conf" | tail -n 1)
	STACK_FPD_SOCK=${sock:-$rundir/oscp-fp.sock}
	STACK_FPD_STDERR=$rundir/oscp-fpd.stderr
	case $STACK_FPD_SOCK in
	/*) rm -f "$STACK_FPD_SOCK" ;;
	esac
	# STACK_FPD_WRAP: a command prefix such as "valgrind --log-file=...";
	# valgrind runs in-process, so the PID is still the master's.
	# shellcheck disable=SC2086
	stack__spawn "$STACK_FPD_STDERR" ${STACK_FPD_WRAP:-} "$STACK_FPD_BIN" \
	    -f -c "$conf"
	STACK_FPD_PID=$STACK__PID
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$STACK_FPD_PID" 2>/dev/null; then
			tail -n 30 "$STACK_FPD_STDERR" >&2
			[ -f "$rundir/oscp-fpd.log" ] &&
			    tail -n 30 "$rundir/oscp-fpd.log" >&2
			STACK_FPD_PID=
			stack_die "oscp-fpd exited"
			return 1
		fi
		case $STACK_FPD_SOCK in
		/*) [ -S "$STACK_FPD_SOCK" ] && break ;;
		*) [ -f "$rundir/oscp-fpd.pid" ] && break ;;
		esac
		sleep 0.1
	done
	if [ "$i" -ge 600 ]; then
		stack_die "oscp-fpd: no socket after 60 s"
		return 1
	fi
	stack_log "oscp-fpd: pid $STACK_FPD_PID, $STACK_FPD_SOCK"
}

stack_fpd_stop() {
	[ -n "${STACK_FPD_PID:-}" ] || return 0
	stack__stop_pid "$STACK_FPD_PID" TERM 20
	stack_log "oscp-fpd: stopped"
	STACK_FPD_PID=
}

# ---------------------------------------------------------------------
# nginx (stack-recipes §3)

# Escape a string for the right-hand side of a sed s|||.
stack__sed_rhs() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# stack_nginx_start DIR PORT SOCK [TEMPLATE]: render TEMPLATE (default
# nginx/test.conf.in) into DIR/nginx.conf, check it, start nginx in the
# foreground in the background, wait until 127.0.0.1:PORT answers.
# STACK_STATIC_BODY fills /bench/static; STACK_NGINX_BODY_MAX the body cap.
stack_nginx_start() {
	local dir=$1 port=$2 sock=$3 tpl=${4:-$STACK_SRCDIR/nginx/test.conf.in}
	local confdir body code i user=()
	[ -n "$dir" ] && [ -n "$port" ] && [ -n "$sock" ] || {
		stack_die "usage: stack_nginx_start DIR PORT SOCK [TEMPLATE]"
		return 1
	}
	mkdir -p "$dir/tmp" || return 1
	dir=$(cd "$dir" && pwd)
	confdir=$(cd "$STACK_SRCDIR/nginx" && pwd)
	body=${STACK_STATIC_BODY:-'{"success":true,"data":{"status":"ok"}}'}
	case $body in
	*"'"* | *'$'*)
		stack_die "STACK_STATIC_BODY must not contain ' or \$"
		return 1
		;;
	esac
	sed -e "s|@PREFIX@|$(stack__sed_rhs "$dir")|g" \
	    -e "s|@PORT@|$port|g" \
	    -e "s|@SOCK@|$(stack__sed_rhs "$sock")|g" \
	    -e "s|@CONFDIR@|$(stack__sed_rhs "$confdir")|g" \
	    -e "s|@BODY_MAX@|${STACK_NGINX_BODY_MAX:-256k}|g" \
	    -e "s|@STATIC_BODY@|$(stack__sed_rhs "$body")|g" \
	    "$tpl" >"$dir/nginx.conf" || return 1
	# Root: workers as STACK_NGINX_USER:STACK_NGINX_GROUP, the group the
	# FastCGI socket has (stack_write_conf).
	[ "$(id -u)" = 0 ] &&
	    user=(-g "user $STACK_NGINX_USER $STACK_NGINX_GROUP;")
	if ! nginx -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" \
	    "${user[@]}" -t >"$dir/nginx-t.log" 2>&1; then
		cat "$dir/nginx-t.log" >&2
		stack_die "nginx -t failed for $dir/nginx.conf"
		return 1
	fi
	stack__spawn "$dir/nginx.out" nginx -p "$dir/" -e "$dir/error.log" \
	    -c "$dir/nginx.conf" "${user[@]}"
	STACK_NGINX_PID=$STACK__PID
	STACK_NGINX_DIR=$dir
	STACK_NGINX_PORT=$port
	for ((i = 0; i < 200; i++)); do
		if ! kill -0 "$STACK_NGINX_PID" 2>/dev/null; then
			tail -n 20 "$dir/error.log" "$dir/nginx.out" >&2
			STACK_NGINX_PID=
			stack_die "nginx exited"
			return 1
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		    "http://127.0.0.1:$port/__stack_alive" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && break
		sleep 0.05
	done
	if [ "$i" -ge 200 ]; then
		stack_die "nginx does not answer on 127.0.0.1:$port"
		return 1
	fi
	stack_log "nginx: pid $STACK_NGINX_PID, http://127.0.0.1:$port"
}

stack_nginx_stop() {
	[ -n "${STACK_NGINX_PID:-}" ] || return 0
	# QUIT = graceful; the workers finish what they have.
	stack__stop_pid "$STACK_NGINX_PID" QUIT 10
	stack_log "nginx: stopped"
	STACK_NGINX_PID=
}

# ---------------------------------------------------------------------

# Stop everything this shell started, front to back.
stack_stop_all() {
	stack_nginx_stop
	stack_fpd_stop
	stack_db_stop
}

# Stop everything on EXIT, and exit on INT/TERM (which runs the EXIT trap).
# Callers that need their own EXIT work call stack_stop_all from it.
stack_traps() {
	trap 'stack_stop_all' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
