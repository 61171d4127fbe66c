/**
 * Who may send requests on the trunk (sip.trunk.allow): everyone else gets 403
 * and never reaches the policy. An IPv4-mapped IPv6 source (::ffff:a.b.c.d, as
 * dual-stack sockets report IPv4 peers) is checked as the IPv4 address it is.
 */
import { type Cidr, cidrContains } from '../config/net.js';

export function isAllowed(address: string, allow: readonly Cidr[]): boolean {
  const a = address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return allow.some((cidr) => cidrContains(cidr, a));
}
