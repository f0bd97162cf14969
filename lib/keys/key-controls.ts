import ipaddr from "ipaddr.js";
import { DAY_MS } from "../format/time";

/**
 * What a key may do beyond "it exists and is active": its environment (and so its rotation
 * schedule), its routes, read-only flag and IP allow-list. Pure functions, shared by the data
 * layer, the verification hot path and the forms' validation.
 */

export const ENVIRONMENTS = ["production", "staging", "development"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The reference's recommended rotation schedule, in days. */
export const ROTATION_DAYS: Record<Environment, number> = { production: 90, staging: 60, development: 30 };

/** The environment a key's name suggests ("prod-billing", "staging api", "dev_local"), else production. */
export function suggestEnvironment(name: string): Environment {
  const lower = name.trim().toLowerCase();
  if (/^(dev|development|test|testing|local)([-_ .:/]|$)/.test(lower)) return "development";
  if (/^(stag|stage|staging|stg|qa|preprod)([-_ .:/]|$)/.test(lower)) return "staging";
  return "production";
}

export function asEnvironment(value: string): Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value) ? (value as Environment) : "production";
}

/** A key older than its environment's schedule, and not already replaced by a rotation. */
export function rotationDue(
  key: { createdAt: Date; environment: string; rotatedAt: Date | null },
  now = Date.now(),
): boolean {
  if (key.rotatedAt) return false;
  return now - key.createdAt.getTime() >= ROTATION_DAYS[asEnvironment(key.environment)] * DAY_MS;
}

/** The furthest expiry a key may have: ten years from now (at generation, and after a rotation). */
export const MAX_EXPIRY_DAYS = 3650;
export const maxExpiry = (now = Date.now()) => new Date(now + MAX_EXPIRY_DAYS * DAY_MS);

/** The grace periods a rotation accepts, in seconds: none, an hour, a day, a week. */
export const GRACE_PERIODS = [0, 3600, 86400, 604800] as const;

// ---------------------------------------------------------------------------------------------
// IP allow-lists

export const MAX_ALLOWLIST_ENTRIES = 50;

/** An IPv4-mapped IPv6 address (::ffff:203.0.113.7) is the IPv4 address it carries. */
function unmapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/**
 * One allow-list entry in its canonical form ("10.0.0.0/8", "2001:db8::/32", "203.0.113.7"),
 * or null when it is neither an address nor a CIDR range. A range's address is reduced to its
 * network ("10.1.2.3/8" → "10.0.0.0/8"); a mapped IPv4 address or range becomes plain IPv4.
 */
export function normalizeAllowlistEntry(entry: string): string | null {
  const text = entry.trim();
  if (text.includes("/")) {
    // As for addresses below: an IPv4 range in dotted four-part decimal only ("192.168.010.0/24"
    // would be read as octal, "10.1/16" as 10.0.0.1).
    const valid = text.includes(":") ? ipaddr.IPv6.isValidCIDR(text) : ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
    if (!valid) return null;
    const [address, bits] = ipaddr.parseCIDR(text);
    if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      const v4 = (address as ipaddr.IPv6).toIPv4Address();
      return `${ipaddr.IPv4.networkAddressFromCIDR(`${v4.toString()}/${bits - 96}`).toString()}/${bits - 96}`;
    }
    const network =
      address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
    return `${network.toString()}/${bits}`;
  }
  // isValid would take "10" or "0x0a.1" (inet_aton forms); only the four-part dotted form and IPv6 count.
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text)) return null;
  return unmapped(ipaddr.parse(text)).toString();
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A compiled allow-list: parsed once when a key record is read, then matched per call. */
export type IpMatcher = (ip: string) => boolean;

export function compileAllowlist(entries: string[]): IpMatcher {
  const ranges: Range[] = entries.map((entry) => {
    if (entry.includes("/")) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  });
  return (ip) => {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = unmapped(ipaddr.parse(ip));
    } catch {
      return false; // no address we can read (a missing socket address): not on any list
    }
    return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  };
}

// ---------------------------------------------------------------------------------------------
// Stored forms: JSON arrays in text columns (null = unrestricted)

export function parseJsonList<T>(text: string | null): T[] | null {
  if (text == null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : null;
  } catch {
    return null;
  }
}

export const storeList = (list: readonly unknown[] | null | undefined): string | null =>
  list == null ? null : JSON.stringify(list);
