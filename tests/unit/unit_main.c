/*
 * unit_main.c -- runs every CUnit suite; exit status 0 only when all
 * assertions passed.  FIXTURES in the environment overrides where the
 * known-answer data lives (automake sets it for make check/distcheck).
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "unit.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

const char *unit_fixtures = FIXTURES_DIR;

int
main(void)
{
	const char	*f;
	unsigned	 failed;

	if ((f = getenv("FIXTURES")) != NULL && *f != '\0')
		unit_fixtures = f;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
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
