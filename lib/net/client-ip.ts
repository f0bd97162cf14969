/**
 * The caller's IP. Our server (scripts/server.mjs) overwrites X-Forwarded-For with the socket
 * address, or, when TRUST_PROXY is set, appends it: the header then ends "<client>, <proxy>",
 * where <client> is what our one trusted reverse proxy saw. Anything before that entry came
 * from the client and is ignored. Next alone would pass a client-supplied header through.
 */
export function clientIp(headers: { get(name: string): string | null }, trustProxy: boolean): string {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) {
    const hops = forwarded
      .split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    const ip = trustProxy && hops.length >= 2 ? hops[hops.length - 2] : hops[hops.length - 1];
    if (ip) return ip.slice(0, 64);
  }
  return "unknown";
}
