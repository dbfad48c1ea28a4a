/**
 * Where a forwarded connection may go, shared by the server (egress for clients) and the client
 * (direct routes of its forwarders): address literals read the way the C library reads them, IPv6
 * forms that embed an IPv4 address reduced to that address, the non-global and cloud metadata
 * ranges, an allow/deny policy of CIDRs and ports, one resolution of a name whose every address is
 * checked, and a dialer that connects exactly the checked addresses.
 */
package dev.tlstunnel.egress;
