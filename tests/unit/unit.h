/*
 * unit.h -- CUnit suites, one per src/ module (tests/unit/test_<module>.c
 * mirrors src/<module>.c).  Each file defines one register function that
 * adds its suite; unit_main.c calls them all.
 *
 * CUnit reports a suite or test it could not add (a duplicate name, no
 * memory, a NULL suite) only through its return value, and a run without
 * it still passes.  So CU_add_suite and CU_add_test are mapped here onto
 * unit_main.c's checked versions, which print CUnit's reason and end the
 * run with status 99 (a hard error, not a pass).
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>

#include <CUnit/CUnit.h>

CU_pSuite	unit_add_suite(const char *name, CU_InitializeFunc,
		    CU_CleanupFunc);
CU_pTest	unit_add_test(CU_pSuite, const char *name, CU_TestFunc);

#define CU_add_suite(name, init, clean)	unit_add_suite(name, init, clean)
#define CU_add_test(suite, name, fn)	unit_add_test(suite, name, fn)

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* An assertion whose failure report names the table row: CHECK(cond,
 * printf-style message). */
#define CHECK(c, ...)	unit_check((c), __FILE__, __LINE__, __func__, \
			    __VA_ARGS__)
void		unit_check(bool, const char *file, unsigned line,
		    const char *fn, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

/* Both NULL, or the same string. */
bool		streq(const char *, const char *);
/* s, or "(null)" for printing. */
const char	*nn(const char *s);

/* Directory holding tests/fixtures (set by unit_main from $FIXTURES or
 * the compiled-in default). */
extern const char *unit_fixtures;

void	test_arena_register(void);
void	test_settings_register(void);
void	test_crypto_register(void);
void	test_keyring_register(void);
void	test_timefmt_register(void);
void	test_snws2_register(void);
void	test_route_register(void);
void	test_json_register(void);
void	test_valid_register(void);
void	test_model_register(void);
void	test_http_register(void);
void	test_db_stmts_register(void);
void	test_oscp_msg_register(void);
void	test_send_register(void);

#endif /* UNIT_H */
