/*
 * unit_main.c -- runs every CUnit suite; exit status 0 only when all
 * assertions passed, 99 when a suite or test could not be registered.
 * FIXTURES in the environment overrides where the known-answer data lives
 * (automake sets it for make check/distcheck).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "unit.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

const char *unit_fixtures = FIXTURES_DIR;

/* CU_add_suite (unit.h maps the name here), stopping the run on failure. */
CU_pSuite
unit_add_suite(const char *name, CU_InitializeFunc init,
    CU_CleanupFunc clean)
{
	CU_pSuite	s;

	/* A duplicate name is added all the same, with the error set. */
	if ((s = (CU_add_suite)(name, init, clean)) == NULL ||
	    CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit: cannot add suite \"%s\": %s\n", name,
		    CU_get_error_msg());
		exit(99);
	}
	return s;
}

/* CU_add_test (unit.h maps the name here), stopping the run on failure. */
CU_pTest
unit_add_test(CU_pSuite suite, const char *name, CU_TestFunc fn)
{
	CU_pTest	t;

	if ((t = (CU_add_test)(suite, name, fn)) == NULL ||
	    CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "unit: cannot add test \"%s\" to suite "
		    "\"%s\": %s\n", name, suite != NULL ? suite->pName :
		    "(none)", CU_get_error_msg());
		exit(99);
	}
	return t;
}

void
unit_check(bool ok, const char *file, unsigned line, const char *fn,
    const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok, line, buf, file, fn, CU_FALSE);
}

bool
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

const char *
nn(const char *s)
{
	return s == NULL ? "(null)" : s;
}

static void
t_nothing(void)
{
}

/* Run f in a child (stderr silenced); its exit status, -1 if it died. */
static int
in_child(void (*f)(void))
{
	pid_t	pid;
	int	st, fd;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, STDERR_FILENO);
		f();
		exit(0);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
no_function(void)
{
	CU_pSuite	s = CU_add_suite("unit: no function", NULL, NULL);

	CU_add_test(s, "empty", NULL);
}

static void
dup_suite(void)
{
	CU_add_suite("unit: duplicate suite", NULL, NULL);
	CU_add_suite("unit: duplicate suite", NULL, NULL);
}

static void
no_suite(void)
{
	CU_add_test(NULL, "orphan", t_nothing);
}

/*
 * A registration CUnit refuses ends the run with 99, a good one does not.
 * CUnit allows no registration during a run, so the children run before
 * it, from test_unit_register(), and the test checks what they did.
 */
static int	refused[4];

static void
t_registration_checked(void)
{
	CU_ASSERT_EQUAL(refused[0], 99);	/* no test function */
	CU_ASSERT_EQUAL(refused[1], 99);	/* suite name taken */
	CU_ASSERT_EQUAL(refused[2], 99);	/* no suite */
	CU_ASSERT_EQUAL(refused[3], 0);		/* nothing wrong */
}

static void
test_unit_register(void)
{
	CU_pSuite	s;

	refused[0] = in_child(no_function);
	refused[1] = in_child(dup_suite);
	refused[2] = in_child(no_suite);
	refused[3] = in_child(t_nothing);
	s = CU_add_suite("unit", NULL, NULL);
	CU_add_test(s, "a refused registration stops the run",
	    t_registration_checked);
}

int
main(void)
{
	const char	*f;
	unsigned	 failed;

	if ((f = getenv("FIXTURES")) != NULL && *f != '\0')
		unit_fixtures = f;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	test_unit_register();
	test_arena_register();
	test_settings_register();
	test_crypto_register();
	test_keyring_register();
	test_timefmt_register();
	test_snws2_register();
	test_route_register();
	test_json_register();
	test_valid_register();
	test_model_register();
	test_http_register();
	test_db_stmts_register();
	test_oscp_msg_register();
	test_send_register();
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
	    CU_get_number_of_suites_failed();
	printf("unit: %u asserts, %u failed\n", CU_get_number_of_asserts(),
	    CU_get_number_of_failures());
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
