/*
 * test_send.c -- src/oscp/send.c: the URL policy on the address the
 * dispatcher actually connects to (send_addr_allowed, called from
 * libcurl's opensocket callback).  Loopback, private, link-local,
 * shared (100.64/10), unspecified, multicast and reserved IPv4; loopback,
 * unspecified, link-local, unique-local and multicast IPv6, and IPv4-
 * mapped IPv6 of the refused IPv4 ranges, are refused unless
 * outbound_allow_private; public addresses are allowed.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dispatch.h"
#include "unit.h"


/* The address as libcurl hands it over: a sockaddr of its family. */
static bool
allowed(const struct settings *s, const char *addr)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(443);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(443);
	} else {
		CHECK(false, "test address %s does not parse", addr);
		return false;
	}
	return send_addr_allowed(s, (const struct sockaddr *)&ss);
}

static const char *const refused[] = {
	/* IPv4 */
	"127.0.0.1", "127.255.255.254", "127.1.2.3",		/* loopback */
	"10.0.0.0", "10.1.2.3", "10.255.255.255",		/* private */
	"172.16.0.0", "172.20.1.1", "172.31.255.255",
	"192.168.0.0", "192.168.1.1", "192.168.255.255",
	"169.254.0.1", "169.254.169.254", "169.254.255.255",	/* link-local */
	"100.64.0.0", "100.100.100.100", "100.127.255.255",	/* shared */
	"0.0.0.0", "0.1.2.3", "0.255.255.255",			/* "this" */
	"224.0.0.1", "232.1.1.1", "239.255.255.255",		/* multicast */
	"240.0.0.1", "255.255.255.254", "255.255.255.255",	/* reserved */
	/* IPv6 */
	"::1", "::",
	"fe80::1", "fe80::1234:5678:9abc:def0", "febf:ffff::1",	/* link-local */
	"fc00::", "fc00::1", "fd00::1", "fd12:3456:789a::1",	/* ULA */
	"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	"ff00::", "ff02::1", "ff05::2", "ff0e::1",		/* multicast */
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	/* IPv4-mapped: the IPv4 rules */
	"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:172.16.5.4",
	"::ffff:192.168.1.1", "::ffff:169.254.169.254",
	"::ffff:100.64.0.1", "::ffff:0.0.0.0", "::ffff:224.0.0.1",
	"::ffff:255.255.255.255",
	/* IPv4 inside IPv6 otherwise: compatible, NAT64, 6to4; site-local */
	"::2", "::10.0.0.1", "::127.0.0.1", "64:ff9b::10.0.0.1",
	"64:ff9b::127.0.0.1", "2002:0a00:0001::1", "2002:7f00:0001::",
	"fec0::1", "feff::1",
};

static const char *const public[] = {
	/* IPv4, including the neighbours of every refused range */
	"1.1.1.1", "8.8.8.8", "93.184.216.34", "203.0.113.7",
	"1.0.0.0", "9.255.255.255", "11.0.0.0",
	"126.255.255.255", "128.0.0.0",
	"172.15.255.255", "172.32.0.0",
	"192.167.255.255", "192.169.0.0",
	"169.253.255.255", "169.255.0.0",
	"100.63.255.255", "100.128.0.0",
	"223.255.255.255",
	/* IPv6 */
	"2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450::1",
	"2001:db8::1", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	"64:ff9b::8.8.8.8", "2002:0808:0808::1", "::8.8.8.8",
	"fe7f:ffff::1",
	/* IPv4-mapped public */
	"::ffff:8.8.8.8", "::ffff:1.1.1.1", "::ffff:172.32.0.1",
};

static void
t_policy(void)
{
	struct settings	 s;
	size_t		 i;

	memset(&s, 0, sizeof(s));
	s.outbound_allow_private = false;
	for (i = 0; i < N(refused); i++)
		CHECK(!allowed(&s, refused[i]), "%s allowed", refused[i]);
	for (i = 0; i < N(public); i++)
		CHECK(allowed(&s, public[i]), "%s refused", public[i]);
}

static void
t_allow_private(void)
{
	struct settings	 s;
	size_t		 i;

	memset(&s, 0, sizeof(s));
	s.outbound_allow_private = true;
	for (i = 0; i < N(refused); i++)
		CHECK(allowed(&s, refused[i]), "%s refused", refused[i]);
	for (i = 0; i < N(public); i++)
		CHECK(allowed(&s, public[i]), "%s refused", public[i]);
}

/* Nothing but IPv4 and IPv6 is connected to. */
static void
t_other_family(void)
{
	struct settings		 s;
	struct sockaddr_un	 un;

	memset(&s, 0, sizeof(s));
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	strncpy(un.sun_path, "/tmp/x.sock", sizeof(un.sun_path) - 1);
	CU_ASSERT_FALSE(send_addr_allowed(&s, (const struct sockaddr *)&un));
}

void
test_send_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("send", NULL, NULL);
	CU_add_test(s, "URL policy: private refused, public allowed",
	    t_policy);
	CU_add_test(s, "URL policy: outbound_allow_private", t_allow_private);
	CU_add_test(s, "URL policy: other address families", t_other_family);
}
