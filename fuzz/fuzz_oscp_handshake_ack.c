/*
 * fuzz_oscp_handshake_ack.c -- the OSCP HandshakeAcknowledge (POST
 * /handshake_acknowledge): oscp_parse_behaviour() as an acknowledgement
 * (an empty required_behaviour is none).
 */
#include "fuzz_oscp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_oscp_behaviour(data, size, true);
}
