/* net.c - see net.h */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_ipv4(const char *s, size_t len, uint32_t *out)
{
	char buf[16];
	struct in_addr a;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*out = a.s_addr;
	return 0;
}

int net_parse(const char *text, struct net_spec *spec)
{
	const char *slash = strchr(text, '/');
	const char *comma = strchr(text, ',');
	char *end;
	long prefix;

	memset(spec, 0, sizeof(*spec));
	if (!slash || (comma && comma < slash))
		return -1;
	if (parse_ipv4(text, (size_t)(slash - text), &spec->addr))
		return -1;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	prefix = strtol(slash + 1, &end, 10);
	if (prefix < 1 || prefix > 32 || (*end && *end != ','))
		return -1;
	spec->netmask = htonl(prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix));
	if (comma && parse_ipv4(comma + 1, strlen(comma + 1), &spec->gateway))
		return -1;
	if (comma && !spec->gateway)
		return -1;
	return 0;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = addr };

	memcpy(sa, &sin, sizeof(sin));
}

static int set_up(int fd, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) == 0 ? 0 : -errno;
}

int net_loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return -errno;
	r = set_up(fd, "lo");
	close(fd);
	return r;
}

int net_configure(const char *ifname, const struct net_spec *spec, char *err, size_t err_size)
{
	struct ifreq ifr;
	struct rtentry rt;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	set_sin(&ifr.ifr_addr, spec->addr);
	if (ioctl(fd, SIOCSIFADDR, &ifr) != 0) {
		r = -errno;
		snprintf(err, err_size, "%s: set address: %s", ifname, strerror(errno));
		goto out;
	}
	set_sin(&ifr.ifr_netmask, spec->netmask);
	if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0) {
		r = -errno;
		snprintf(err, err_size, "%s: set netmask: %s", ifname, strerror(errno));
		goto out;
	}
	if ((r = set_up(fd, ifname)) != 0) {
		snprintf(err, err_size, "%s: up: %s", ifname, strerror(-r));
		goto out;
	}
	if (spec->gateway) {
		memset(&rt, 0, sizeof(rt));
		set_sin(&rt.rt_dst, 0);
		set_sin(&rt.rt_genmask, 0);
		set_sin(&rt.rt_gateway, spec->gateway);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		if (ioctl(fd, SIOCADDRT, &rt) != 0 && errno != EEXIST) {
			r = -errno;
			snprintf(err, err_size, "%s: default route: %s", ifname, strerror(errno));
		}
	}
out:
	close(fd);
	return r;
}
