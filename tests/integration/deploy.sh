#!/bin/bash
# shellcheck disable=SC2034
# tests/integration/deploy.sh -- run the shipped front-end configurations
# (apache/oscp-fp.conf, nginx/oscp-fp.prod.conf) privately for
# deploy.test.mjs, the way an operator on Debian 12 would use them, with
# only the substitutions their header comments document: listen ports,
# certificate paths, the FastCGI socket path and the installed data
# directory (here the source tree).  Nothing outside DIR is written.
#
#   deploy.sh cert DIR                  self-signed DIR/cert.pem, key.pem
#   deploy.sh apache SRCDIR DIR SOCK    Apache 2.4 (TLS, HTTP/2); prints
#                                       "PID PORT"
#   deploy.sh nginx SRCDIR DIR SOCK     nginx (TLS, HTTP/2, and the plain
#                                       http server); prints "PID PORT HTTPPORT"
#   deploy.sh stop DIR                  stop what DIR runs
#
# Ports are free loopback ports (scripts/stack.sh's stack_free_port).
# Servers run in the foreground in their own session, backgrounded; the
# pid is in DIR/server.pid.  Exit 0 when the server answers on its TLS
# port, else 1 with the reason on stderr.
#
# Apache: a private ServerRoot (DIR/apache) built like Debian's
# /etc/apache2: Debian's own apache2.conf, mods-available and
# conf-available (the stock conf-enabled set), the modules a fresh
# install enables plus those of the a2enmod line in the shipped file's
# header (with their "# Depends:"), a ports.conf that listens on PORT,
# and the rendered site in sites-enabled.  The variables envvars would
# set point into DIR.  So "It works" (/var/www/html) and /server-status
# are there to be leaked, as on a real server.
#
# As root, the workers of both servers run as STACK_NGINX_USER and
# STACK_NGINX_GROUP (scripts/stack.sh: nobody and its group), the group
# oscp-fpd gives its 0660 socket (listen_group), as nginx's in the
# harness.

set -u

die() {
	printf 'deploy.sh: %s\n' "$*" >&2
	exit 1
}

case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin ;;
esac

RUN_USER=${STACK_NGINX_USER:-nobody}
RUN_GROUP=${STACK_NGINX_GROUP:-$(id -gn "$RUN_USER" 2>/dev/null || echo nogroup)}

# Modules a fresh Debian 12 apache2 has enabled (a2query -m after install).
DEBIAN_MODS="access_compat alias auth_basic authn_core authn_file authz_core
authz_host authz_user autoindex deflate dir env filter mime mpm_event
negotiation reqtimeout setenvif status"
DEBIAN_CONFS="charset localized-error-pages other-vhosts-access-log security
serve-cgi-bin"

# Escape for the right-hand side of sed s|||.
rhs() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# Start "$@" in its own session, output to LOG; pid in DIR/server.pid.
spawn() {
	local dir=$1 log=$2
	shift 2
	setsid "$@" >>"$log" 2>&1 </dev/null &
	echo $! >"$dir/server.pid"
}

# Wait until https://127.0.0.1:PORT answers (any status).
wait_up() {
	local dir=$1 port=$2 pid i code
	pid=$(cat "$dir/server.pid")
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 \
		    "https://127.0.0.1:$port/__deploy_alive" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && return 0
		sleep 0.1
	done
	return 1
}

cmd_cert() {
	local dir=$1
	mkdir -p "$dir" || die "cannot create $dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj /CN=oscp.example.com -addext basicConstraints=critical,CA:FALSE \
	    -addext 'subjectAltName=DNS:oscp.example.com,DNS:localhost,IP:127.0.0.1' \
	    -keyout "$dir/key.pem" -out "$dir/cert.pem" >"$dir/openssl.log" 2>&1 ||
	    { cat "$dir/openssl.log" >&2; die "openssl req failed"; }
}

# Every module NAME needs, NAME last (a2enmod's "# Depends:" lines).
apache_mod_closure() {
	local m=$1 d
	[ -f "/etc/apache2/mods-available/$m.load" ] ||
	    die "no Apache module $m (/etc/apache2/mods-available/$m.load)"
	for d in $(sed -n 's/^# Depends:\(.*\)$/\1/p' \
	    "/etc/apache2/mods-available/$m.load" | tr ',' ' '); do
		apache_mod_closure "$d"
	done
	echo "$m"
}

# Source the stack functions (stack_free_port) from SRCDIR.
load_stack() {
	STACK_SRCDIR=$1
	STACK_QUIET=1
	# shellcheck disable=SC1091
	. "$1/scripts/stack.sh" || die "no $1/scripts/stack.sh"
}

# Start server KIND (apache/nginx) on free ports; a port taken between
# the choice and the bind (another run) gets one more try with others.
start_on_free_ports() {
	local kind=$1 src=$2 dir=$3 sock=$4 try port hport
	load_stack "$src"
	for try in 1 2 3; do
		port=$(stack_free_port 20000 32000) || die "no free port"
		hport=$port
		while [ "$hport" = "$port" ]; do
			hport=$(stack_free_port 20000 32000) || die "no free port"
		done
		if "start_$kind" "$src" "$dir" "$port" "$hport" "$sock"; then
			echo "$(cat "$dir/server.pid") $port $hport"
			return 0
		fi
		grep -qs 'Address already in use' "$dir/log/error.log" \
		    "$dir/log/$kind.out" || break
		cmd_stop "$dir"
	done
	die "$kind did not start (logs in $dir/log)"
}

start_apache() {
	local src=$1 dir=$2 port=$3 sock=$5 root mods m c line
	[ -d /etc/apache2/mods-available ] || die "apache2 is not installed"
	command -v apache2 >/dev/null 2>&1 || die "apache2 not found"
	mkdir -p "$dir" || die "cannot create $dir"
	dir=$(cd "$dir" && pwd)
	root=$dir/apache
	rm -rf "$root"
	mkdir -p "$root/mods-enabled" "$root/conf-enabled" \
	    "$root/sites-enabled" "$dir/run" "$dir/lock" "$dir/log" ||
	    die "cannot create $root"
	cp /etc/apache2/apache2.conf "$root/" || die "no /etc/apache2/apache2.conf"
	ln -s /etc/apache2/mods-available "$root/mods-available"
	ln -s /etc/apache2/conf-available "$root/conf-available"
	# The a2enmod line of the shipped file: "#   a2enmod mod mod ...".
	line=$(sed -n 's/^#[[:space:]]*a2enmod[[:space:]]\{1,\}//p' \
	    "$src/apache/oscp-fp.conf" | head -n 1)
	[ -n "$line" ] || die "no a2enmod line in apache/oscp-fp.conf"
	mods=$(for m in $DEBIAN_MODS $line; do apache_mod_closure "$m"; done |
	    awk '!seen[$0]++') || exit 1
	for m in $mods; do
		for c in load conf; do
			[ -f "/etc/apache2/mods-available/$m.$c" ] &&
			    ln -s "../mods-available/$m.$c" "$root/mods-enabled/$m.$c"
		done
	done
	for c in $DEBIAN_CONFS; do
		ln -s "../conf-available/$c.conf" "$root/conf-enabled/$c.conf"
	done
	echo "$mods" | tr '\n' ' ' >"$dir/modules"
	printf 'Listen 127.0.0.1:%s\n' "$port" >"$root/ports.conf"
	# The documented substitutions: the port, the certificate, the socket.
	sed -e "s|\*:443>|*:$port>|" \
	    -e "s|/etc/ssl/oscp.example.com/fullchain.pem|$(rhs "$dir/cert.pem")|" \
	    -e "s|/etc/ssl/oscp.example.com/privkey.pem|$(rhs "$dir/key.pem")|" \
	    -e "s|/run/oscp-fp/oscp-fp.sock|$(rhs "$sock")|g" \
	    "$src/apache/oscp-fp.conf" >"$root/sites-enabled/oscp-fp.conf" ||
	    die "cannot render apache/oscp-fp.conf"
	[ -f "$dir/cert.pem" ] || cmd_cert "$dir"
	cat >"$dir/env" <<EOF
export APACHE_RUN_USER='$RUN_USER'
export APACHE_RUN_GROUP='$RUN_GROUP'
export APACHE_PID_FILE='$dir/run/apache2.pid'
export APACHE_RUN_DIR='$dir/run'
export APACHE_LOCK_DIR='$dir/lock'
export APACHE_LOG_DIR='$dir/log'
export LANG=C
EOF
	# shellcheck disable=SC1091
	. "$dir/env"
	if ! apache2 -d "$root" -f "$root/apache2.conf" -t >"$dir/configtest.log" 2>&1; then
		cat "$dir/configtest.log" >&2
		die "apache2 -t failed"
	fi
	spawn "$dir" "$dir/log/apache.out" apache2 -d "$root" \
	    -f "$root/apache2.conf" -DFOREGROUND
	if ! wait_up "$dir" "$port"; then
		tail -n 30 "$dir/log/error.log" "$dir/log/apache.out" >&2
		return 1
	fi
}

start_nginx() {
	local src=$1 dir=$2 port=$3 hport=$4 sock=$5 userline="" v6=""
	command -v nginx >/dev/null 2>&1 || die "nginx not found"
	mkdir -p "$dir/conf.d" "$dir/log" "$dir/tmp" || die "cannot create $dir"
	dir=$(cd "$dir" && pwd)
	[ -f "$dir/cert.pem" ] || cmd_cert "$dir"
	[ "$(id -u)" = 0 ] && userline="user $RUN_USER $RUN_GROUP;"
	# Like Debian's /etc/nginx/nginx.conf, private paths.
	cat >"$dir/nginx.conf" <<EOF
$userline
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/log/error.log;
include /etc/nginx/modules-enabled/*.conf;
events {
    worker_connections 768;
}
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log $dir/log/access.log;
    gzip on;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/conf.d/*.conf;
}
EOF
	# IPv6 loopback only where there is one.
	[ -f /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6 &&
	    v6=1
	# The documented substitutions: listen addresses and ports, the
	# certificate, the data directory, the socket, the log directory.
	sed -e "s|listen 443 |listen 127.0.0.1:$port |" \
	    -e "s|listen 80;|listen 127.0.0.1:$hport;|" \
	    -e "s|listen \[::\]:443 |listen [::1]:$port |" \
	    -e "s|listen \[::\]:80;|listen [::1]:$hport;|" \
	    -e "s|/etc/ssl/oscp.example.com/fullchain.pem|$(rhs "$dir/cert.pem")|" \
	    -e "s|/etc/ssl/oscp.example.com/privkey.pem|$(rhs "$dir/key.pem")|" \
	    -e "s|/usr/share/oscp-fp/nginx/|$(rhs "$src/nginx/")|g" \
	    -e "s|/run/oscp-fp/oscp-fp.sock|$(rhs "$sock")|g" \
	    -e "s|/var/log/nginx/|$(rhs "$dir/log/")|g" \
	    "$src/nginx/oscp-fp.prod.conf" >"$dir/conf.d/oscp-fp.conf" ||
	    die "cannot render nginx/oscp-fp.prod.conf"
	[ -n "$v6" ] || sed -i -e '/listen \[::1\]/d' "$dir/conf.d/oscp-fp.conf"
	if ! nginx -p "$dir/" -e "$dir/log/error.log" -c "$dir/nginx.conf" \
	    -g 'daemon off;' -t >"$dir/configtest.log" 2>&1; then
		cat "$dir/configtest.log" >&2
		die "nginx -t failed"
	fi
	spawn "$dir" "$dir/log/nginx.out" nginx -p "$dir/" -e "$dir/log/error.log" \
	    -c "$dir/nginx.conf" -g 'daemon off;'
	if ! wait_up "$dir" "$port"; then
		tail -n 30 "$dir/log/error.log" "$dir/log/nginx.out" >&2
		return 1
	fi
}

cmd_stop() {
	local dir=$1 pid i
	[ -s "$dir/server.pid" ] || return 0
	pid=$(cat "$dir/server.pid")
	kill -TERM "$pid" 2>/dev/null || { rm -f "$dir/server.pid"; return 0; }
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
	rm -f "$dir/server.pid"
	return 0
}

[ $# -ge 1 ] || die "usage: deploy.sh cert|apache|nginx|stop ..."
what=$1
shift
case $what in
cert) [ $# = 1 ] || die "usage: deploy.sh cert DIR"; cmd_cert "$@" ;;
apache | nginx)
	[ $# = 3 ] || die "usage: deploy.sh $what SRCDIR DIR SOCK"
	start_on_free_ports "$what" "$@"
	;;
stop) [ $# = 1 ] || die "usage: deploy.sh stop DIR"; cmd_stop "$@" ;;
*) die "unknown command $what" ;;
esac
