import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector } from "undici";
import { getConfig } from "../config/env";

/**
 * Webhook URLs are typed in by organization members, and the server POSTs to them: without a
 * check, a member could make the server call its own network (a database's HTTP port, a cloud
 * metadata service at 169.254.169.254) and read the status codes back from the delivery log.
 * So a target must resolve to public addresses only, checked twice: when the endpoint is saved
 * (checkWebhookTarget, a 400 with the reason) and when each connection opens (webhookDispatcher),
 * since a name can resolve to a public address at the check and a private one a second later (DNS
 * rebinding). WEBHOOK_ALLOW_PRIVATE lifts both, for tests and local development.
 */

/**
 * `reason` is for the member who saved the URL; `detail` (what the host resolved to) only for the
 * server's log: telling every account what internal names resolve to would map the network.
 */
type TargetCheck = { ok: true } | { ok: false; reason: string; detail?: string };

/** What a member is told when a host is not public, whatever it resolved to. */
export const NOT_PUBLIC =
  "The webhook URL's host must resolve to public addresses only: it does not, or it could not be resolved.";

/** IPv6 outside global unicast (2000::/3) is refused even where ipaddr.js has no name for its range. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** A lookup that takes longer is given up on: saving an endpoint waits for it. */
const DNS_TIMEOUT_MS = 5_000;
/** Opening a connection, its DNS lookup included (each attempt is bounded as a whole too). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The ipaddr.js range of an IP literal: "unicast" for a public address, else what it is
 * (private, loopback, linkLocal, carrierGradeNat, uniqueLocal, unspecified, multicast, reserved …);
 * "invalid" for what is not an address. IPv4-mapped IPv6 (::ffff:127.0.0.1) counts as its IPv4
 * address, so it cannot smuggle a private one past the check.
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return "invalid";
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  // ipaddr.js calls "unicast" whatever its table does not name, ::7f00:1 (::127.0.0.1) included.
  if (range === "unicast" && parsed.kind() === "ipv6" && !parsed.match(GLOBAL_UNICAST_V6)) return "reserved";
  return range;
}

/**
 * Whether a webhook may go to `address`: public unicast only, IPv6 within global unicast
 * (2000::/3). The special ranges ipaddr.js names (NAT64, 6to4, Teredo, which embed IPv4
 * addresses) are refused too.
 */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === "unicast";
}

/** The first of `addresses` a webhook may not reach, with its range; null when all are public. */
function firstRefused(addresses: string[]): { address: string; range: string } | null {
  for (const address of addresses) {
    const range = addressRange(address);
    if (range !== "unicast") return { address, range };
  }
  return null;
}

/** Every address `host` resolves to (as the connection would resolve it: dns.lookup, /etc/hosts included). */
async function lookupAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DNS lookup of ${host} took over ${DNS_TIMEOUT_MS} ms`)), DNS_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([dns.promises.lookup(host, { all: true }), timeout]);
    return found.map((entry) => entry.address);
  } finally {
    clearTimeout(timer);
  }
}

/** URL.hostname keeps an IPv6 literal's brackets; addresses and DNS take it without. */
const unbracket = (hostname: string) => hostname.replace(/^\[(.*)\]$/, "$1");

const refusal = (host: string, refused: { address: string; range: string }) =>
  host === refused.address
    ? `${host} is a ${refused.range} address: webhooks can only be sent to public addresses.`
    : `${host} resolves to ${refused.address}, a ${refused.range} address: webhooks can only be sent to public addresses.`;

/**
 * Whether `url` may be a webhook endpoint: http or https, no credentials in it, and a host whose
 * every address is public (one private address among them is enough to refuse: which one a
 * connection uses is not ours to pick).
 */
export async function checkWebhookTarget(url: string): Promise<TargetCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "The webhook URL is not a valid URL." };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { ok: false, reason: "The webhook URL must use http or https." };
  }
  // Credentials in a URL end up in logs and in every member's view of the endpoint.
  if (parsed.username || parsed.password) {
    return { ok: false, reason: "The webhook URL must not contain a user name or password." };
  }
  if (getConfig().webhookAllowPrivate) return { ok: true };
  const host = unbracket(parsed.hostname);
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await lookupAll(host);
    } catch {
      return { ok: false, reason: NOT_PUBLIC, detail: `The host ${host} of the webhook URL could not be resolved.` };
    }
  }
  const refused = firstRefused(addresses);
  return refused ? { ok: false, reason: NOT_PUBLIC, detail: refusal(host, refused) } : { ok: true };
}

/** A connection refused because its target is not a public address (the delivery's last_error says why). */
export class WebhookTargetRefused extends Error {
  readonly code = "WEBHOOK_TARGET_REFUSED";
}

/**
 * net.connect's DNS lookup, refusing a name with any non-public address: the socket connects only
 * to an address checked here, so what the name resolved to when the endpoint was saved does not
 * matter. Node asks for all addresses (autoSelectFamily) or one; both are answered.
 */
const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, found) => {
    if (error) return callback(error, []);
    if (!getConfig().webhookAllowPrivate) {
      const refused = firstRefused(found.map((entry) => entry.address));
      if (refused) return callback(new WebhookTargetRefused(refusal(hostname, refused)), []);
    }
    if (options.all) return callback(null, found);
    if (!found.length)
      return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
    callback(null, found[0].address, found[0].family);
  });
};

/**
 * undici's connector with the check for IP literals added: a URL with an address in it opens its
 * socket without any lookup, so guardedLookup alone would let http://127.0.0.1/ through.
 */
function guardedConnector(): buildConnector.connector {
  const connect = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup: guardedLookup });
  return (options, callback) => {
    const host = unbracket(options.hostname);
    if (net.isIP(host) && !getConfig().webhookAllowPrivate) {
      const refused = firstRefused([host]);
      if (refused) return callback(new WebhookTargetRefused(refusal(host, refused)), null);
    }
    connect(options, callback);
  };
}

// On globalThis: one pool per process, whichever copy of this module (Next re-evaluates modules in dev).
const AGENT = Symbol.for("keyportal.webhookAgent");
const registry = globalThis as unknown as { [AGENT]?: Agent };

/**
 * The dispatcher every webhook delivery goes through: it connects only to public addresses
 * (unless WEBHOOK_ALLOW_PRIVATE). Connections are kept alive between deliveries to one receiver;
 * a kept connection was checked when it opened.
 */
export function webhookDispatcher(): Agent {
  registry[AGENT] ??= new Agent({
    connect: guardedConnector(),
    connections: 8,
    keepAliveTimeout: 10_000,
  });
  return registry[AGENT];
}
