# fp_systemd.m4 -- FP_CHECK_SYSTEMD: libsystemd for sd_notify (Type=notify
# readiness, reload and stop), and where the unit, sysusers.d and
# tmpfiles.d snippets are installed (under $prefix/lib, which systemd
# searches for /usr and /usr/local alike; --with-...dir to change).
# --without-libsystemd builds a daemon that never notifies.
AC_DEFUN([FP_CHECK_SYSTEMD], [
AC_ARG_WITH([libsystemd],
    [AS_HELP_STRING([--without-libsystemd],
	[no sd_notify (the unit's Type=notify then needs Type=simple)])],
    [], [with_libsystemd=yes])
AS_IF([test "x$with_libsystemd" != xno], [
	PKG_CHECK_MODULES([SYSTEMD], [libsystemd], [],
	    [AC_MSG_ERROR([libsystemd not found: install libsystemd-dev or configure --without-libsystemd])])
	AC_DEFINE([HAVE_LIBSYSTEMD], [1], [sd_notify from libsystemd])
])
AC_ARG_WITH([systemdsystemunitdir],
    [AS_HELP_STRING([--with-systemdsystemunitdir=DIR],
	[systemd units @<:@PREFIX/lib/systemd/system@:>@])],
    [], [with_systemdsystemunitdir='${prefix}/lib/systemd/system'])
AC_ARG_WITH([sysusersdir],
    [AS_HELP_STRING([--with-sysusersdir=DIR],
	[sysusers.d snippets @<:@PREFIX/lib/sysusers.d@:>@])],
    [], [with_sysusersdir='${prefix}/lib/sysusers.d'])
AC_ARG_WITH([tmpfilesdir],
    [AS_HELP_STRING([--with-tmpfilesdir=DIR],
	[tmpfiles.d snippets @<:@PREFIX/lib/tmpfiles.d@:>@])],
    [], [with_tmpfilesdir='${prefix}/lib/tmpfiles.d'])
AC_SUBST([systemdsystemunitdir], [$with_systemdsystemunitdir])
AC_SUBST([sysusersdir], [$with_sysusersdir])
AC_SUBST([tmpfilesdir], [$with_tmpfilesdir])
])
