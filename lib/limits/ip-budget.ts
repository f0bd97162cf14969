import ipaddr from "ipaddr.js";

/**
 * The client a per-IP budget counts: an IPv4 address as it is, an IPv6 client by its /64. One
 * IPv6 customer is usually handed a whole /64 (often a /56 or /48), so counting single addresses
 * would give anyone 2^64 fresh budgets. An IPv4-mapped IPv6 address counts as its IPv4 address.
 * Anything unparsable ("unknown") is its own bucket, as before.
 */
export function budgetIp(ip: string): string {
  // IPv4 (nearly every caller) needs no parse.
  if (!ip.includes(":")) return ip;
  let address: ipaddr.IPv6;
  try {
    address = ipaddr.IPv6.parse(ip.replace(/%.*$/, ""));
  } catch {
    return ip;
  }
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  const network = address.parts.slice(0, 4).map((part) => part.toString(16));
  return `${network.join(":")}::/64`;
}
