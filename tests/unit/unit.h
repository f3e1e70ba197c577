/*
 * unit.h -- CUnit suites, one per src/ module (tests/unit/test_<module>.c
 * mirrors src/<module>.c).  Each file defines one register function that
 * adds its suite; unit_main.c calls them all.
 */
#ifndef UNIT_H
#define UNIT_H

#include <CUnit/CUnit.h>

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
