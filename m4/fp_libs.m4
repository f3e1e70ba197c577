# fp_libs.m4 -- the libraries oscp-fp links against.  All but libfcgi are
# found with pkg-config (Debian 12 names: yajl, libmariadb, libcrypto,
# libcurl, cunit).  libfcgi ships fcgi.pc on Debian, but not everywhere,
# so FP_CHECK_FCGI falls back to a header and library search.

# FP_CHECK_LIBS
# -------------
AC_DEFUN([FP_CHECK_LIBS], [
AC_REQUIRE([PKG_PROG_PKG_CONFIG])
PKG_CHECK_MODULES([YAJL], [yajl >= 2.0])
PKG_CHECK_MODULES([MARIADB], [libmariadb >= 3.1], [],
    [PKG_CHECK_MODULES([MARIADB], [mariadb >= 3.1])])
PKG_CHECK_MODULES([CRYPTO], [libcrypto >= 1.1.1])
PKG_CHECK_MODULES([CURL], [libcurl >= 7.64])
PKG_CHECK_MODULES([CUNIT], [cunit >= 2.1])
FP_CHECK_FCGI
])

# FP_CHECK_FCGI
# -------------
# Sets FCGI_CFLAGS and FCGI_LIBS.
AC_DEFUN([FP_CHECK_FCGI], [
PKG_CHECK_MODULES([FCGI], [fcgi], [fp_have_fcgi=yes], [fp_have_fcgi=no])
AS_IF([test "x$fp_have_fcgi" = xno], [
	fp_save_LIBS=$LIBS
	LIBS=
	AC_CHECK_HEADER([fcgiapp.h], [],
	    [AC_MSG_ERROR([fcgiapp.h not found: install libfcgi-dev])])
	AC_SEARCH_LIBS([FCGX_Accept_r], [fcgi], [],
	    [AC_MSG_ERROR([libfcgi not found: install libfcgi-dev])])
	FCGI_CFLAGS=
	FCGI_LIBS=$LIBS
	LIBS=$fp_save_LIBS
	AC_SUBST([FCGI_CFLAGS])
	AC_SUBST([FCGI_LIBS])
])
])
