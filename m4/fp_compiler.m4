# fp_compiler.m4 -- compiler checks for oscp-fp: a C11 compiler, the
# always-on warning set, and the --enable-werror / --enable-sanitizers
# switches.  Flags land in AC_SUBST variables that Makefile.am adds to
# AM_CFLAGS / AM_LDFLAGS, so configure's own tests never see -Werror.

# FP_PROG_CC_C11
# --------------
# Require a compiler that accepts C11.  Prefer plain -std=c11 (the code is
# written to it, with _GNU_SOURCE for POSIX/GNU library interfaces); fall
# back to whatever mode AC_PROG_CC selected if it already is C11 or newer.
AC_DEFUN([FP_PROG_CC_C11], [
AC_REQUIRE([AC_PROG_CC])
AC_CACHE_CHECK([whether $CC accepts -std=c11], [fp_cv_cc_std_c11], [
	fp_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -std=c11"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#include <stdalign.h>
#include <stdnoreturn.h>
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error not C11
#endif
_Static_assert(sizeof(char) == 1, "char");
static _Thread_local int tl;
]], [[alignas(8) int x = tl; (void)x;]])],
	    [fp_cv_cc_std_c11=yes], [fp_cv_cc_std_c11=no])
	CFLAGS=$fp_save_CFLAGS])
if test "x$fp_cv_cc_std_c11" = xyes; then
	FP_STD_CFLAGS="-std=c11"
else
	AC_CACHE_CHECK([whether $CC defaults to C11 or newer],
	    [fp_cv_cc_c11_default], [
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error not C11
#endif
]], [[]])], [fp_cv_cc_c11_default=yes], [fp_cv_cc_c11_default=no])])
	AS_IF([test "x$fp_cv_cc_c11_default" = xyes], [FP_STD_CFLAGS=],
	    [AC_MSG_ERROR([a C11 compiler is required])])
fi
AC_SUBST([FP_STD_CFLAGS])
])

# FP_CHECK_CFLAG(FLAG, ACTION-IF-OK, ACTION-IF-NOT)
# -------------------------------------------------
# Does $CC accept FLAG (as an error, not just a warning)?
AC_DEFUN([FP_CHECK_CFLAG], [
AS_VAR_PUSHDEF([fp_var], [fp_cv_cflag_$1])
AC_CACHE_CHECK([whether $CC accepts $1], [fp_var], [
	fp_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
	    [AS_VAR_SET([fp_var], [yes])], [AS_VAR_SET([fp_var], [no])])
	CFLAGS=$fp_save_CFLAGS])
AS_VAR_IF([fp_var], [yes], [$2], [$3])
AS_VAR_POPDEF([fp_var])
])

# FP_WARNINGS
# -----------
# -Wall -Wextra always; --enable-werror adds -Werror.
AC_DEFUN([FP_WARNINGS], [
FP_WARN_CFLAGS="-Wall -Wextra"
AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
    [], [enable_werror=no])
AS_IF([test "x$enable_werror" != xno],
    [FP_WARN_CFLAGS="$FP_WARN_CFLAGS -Werror"])
AM_CONDITIONAL([FP_WERROR], [test "x$enable_werror" != xno])
AC_SUBST([FP_WARN_CFLAGS])
])

# FP_SANITIZERS
# -------------
# --enable-sanitizers: AddressSanitizer (with LeakSanitizer) and UBSan,
# UBSan made fatal, frame pointers kept for readable stacks.  Both the
# compile and the link need the flags.
AC_DEFUN([FP_SANITIZERS], [
AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
	[build with -fsanitize=address,undefined (tests fail on any report)])],
    [], [enable_sanitizers=no])
FP_SAN_CFLAGS=
FP_SAN_LDFLAGS=
AS_IF([test "x$enable_sanitizers" != xno], [
	fp_san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	AC_CACHE_CHECK([whether $CC can link with sanitizers], [fp_cv_cc_san], [
		fp_save_CFLAGS=$CFLAGS
		fp_save_LDFLAGS=$LDFLAGS
		CFLAGS="$CFLAGS $fp_san"
		LDFLAGS="$LDFLAGS $fp_san"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
		    [fp_cv_cc_san=yes], [fp_cv_cc_san=no])
		CFLAGS=$fp_save_CFLAGS
		LDFLAGS=$fp_save_LDFLAGS])
	AS_IF([test "x$fp_cv_cc_san" = xyes], [
		FP_SAN_CFLAGS="$fp_san"
		FP_SAN_LDFLAGS="$fp_san"
	], [AC_MSG_ERROR([--enable-sanitizers: $CC cannot build with $fp_san])])
])
AM_CONDITIONAL([FP_SANITIZERS], [test "x$enable_sanitizers" != xno])
AC_SUBST([FP_SAN_CFLAGS])
AC_SUBST([FP_SAN_LDFLAGS])
])
