/*
 * net.h - bring up the network without a DHCP client or the kernel's
 * ip= autoconfiguration.
 *
 * mcpos.net=ADDR/PREFIX[,GATEWAY] (e.g. 10.0.2.15/24,10.0.2.2 for QEMU user
 * networking) configures eth0 from init with three ioctls.  The kernel's
 * ip= does the same job but waits for carrier and settles with sleeps:
 * about 100 ms of emulated boot.  ip=dhcp on the kernel command line is
 * still the way to get an address on a LAN.
 *
 * The loopback interface is always brought up (mcpd's HTTP listener
 * defaults to 127.0.0.1).
 */
#ifndef MCPOS_INIT_NET_H
#define MCPOS_INIT_NET_H

#include <stddef.h>
#include <stdint.h>

struct net_spec {
	uint32_t addr, netmask, gateway;	/* network byte order; gateway 0: none */
};

/* Parse "ADDR/PREFIX[,GATEWAY]".  0 on success, -1 if malformed. */
int net_parse(const char *text, struct net_spec *spec);

/* Bring "lo" up.  0 or -errno. */
int net_loopback_up(void);

/* Address, netmask, up, default route for ifname.  0 or -errno; what
 * failed is written to err. */
int net_configure(const char *ifname, const struct net_spec *spec,
		  char *err, size_t err_size);

#endif
