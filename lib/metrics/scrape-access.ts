import crypto from "node:crypto";
import { getConfig } from "../config/env";
import { bearerToken } from "../net/bearer-token";

const digest = (text: string) => crypto.createHash("sha256").update(text).digest();

/**
 * Who may scrape /metrics: only `Authorization: Bearer $METRICS_TOKEN`, compared in constant
 * time (over digests, so not even the token's length shows). Without METRICS_TOKEN the endpoint
 * does not exist: the figures (request rates, error counts) are nobody's business by default.
 */
export function scrapeAccess(authorization: string | null): "allowed" | "disabled" | "refused" {
  const expected = getConfig().metricsToken;
  if (!expected) return "disabled";
  const given = bearerToken(authorization);
  return given !== null && crypto.timingSafeEqual(digest(given), digest(expected)) ? "allowed" : "refused";
}
