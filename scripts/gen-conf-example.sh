#!/bin/sh
# scripts/gen-conf-example.sh TEMPLATE OSCP_FPD SYSCONFDIR -- print the
# example settings file: TEMPLATE (oscp-fp.conf.example.in, the prose)
# with each "#@key@" line replaced by "#key = <built-in default>" as
# "OSCP_FPD --print-defaults" prints it, and @sysconfdir@ by SYSCONFDIR.
# Fails when the template misses a setting, names an unknown one or names
# one twice, so the example cannot drift from the settings table.
set -eu
tmpl=$1 fpd=$2 sysconfdir=$3
defaults=$(env -i "$fpd" --print-defaults) || {
	echo "gen-conf-example: $fpd --print-defaults failed" >&2
	exit 1
}
printf '%s\n' "$defaults" | awk -v tmpl="$tmpl" -v sysconfdir="$sysconfdir" '
BEGIN { bad = 0 }
# The defaults: "key = value" (an empty string shows as "").
FNR == NR {
	i = index($0, " = ")
	k = substr($0, 1, i - 1)
	v = substr($0, i + 3)
	if (v == "\"\"")
		v = ""
	def[k] = v
	order[++n] = k
	next
}
/^#@[a-z_]+@$/ {
	k = substr($0, 3, length($0) - 3)
	if (!(k in def)) {
		printf "gen-conf-example: %s:%d: no setting %s\n", tmpl, FNR, k > "/dev/stderr"
		bad = 1
		next
	}
	if (k in seen) {
		printf "gen-conf-example: %s:%d: %s again\n", tmpl, FNR, k > "/dev/stderr"
		bad = 1
	}
	seen[k] = 1
	print "#" k " =" (def[k] == "" ? "" : " " def[k])
	next
}
{ gsub(/@sysconfdir@/, sysconfdir); print }
END {
	for (i = 1; i <= n; i++)
		if (!(order[i] in seen)) {
			printf "gen-conf-example: %s: setting %s is missing\n", tmpl, order[i] > "/dev/stderr"
			bad = 1
		}
	exit bad
}' - "$tmpl"
