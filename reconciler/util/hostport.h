/* hostport: "host:port" addresses as Elasticsearch's remote cluster settings
 * take them (seeds, proxy_address), checked offline. IPv6 hosts go in brackets:
 * "[::1]:9300". Nothing is resolved. */
#ifndef ESR_UTIL_HOSTPORT_H
#define ESR_UTIL_HOSTPORT_H

#include "util/buf.h"

/* Returns 0 when text is a valid address, storing the port in *out_port.
 * Otherwise returns -EINVAL and appends to why a message worded like
 * Elasticsearch's ("remote hosts need to be configured as [host:port], found
 * [foo] instead", "failed to parse port", "port number must be > 0 but was: [0]"). */
int hostport_parse(int *out_port, const char *text, struct buf *why);

#endif
