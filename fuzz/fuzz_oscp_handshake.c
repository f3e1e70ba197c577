/*
 * fuzz_oscp_handshake.c -- the OSCP Handshake (POST /handshake):
 * oscp_parse_behaviour() as a Handshake, the stored styles array checked.
 */
#include "fuzz_oscp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_oscp_behaviour(data, size, false);
}
