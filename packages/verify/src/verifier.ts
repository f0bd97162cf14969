import { cacheId, ResultCache } from "./result-cache.js";
import type {
  RateLimit,
  VerifiedKey,
  Verifier,
  VerifierOptions,
  VerifyCode,
  VerifyInput,
  VerifyResult,
} from "./types.js";

const VERIFY_PATH = "api/v1/keys/verify";
const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_CACHE_ENTRIES = 10_000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

function parseKey(value: unknown): VerifiedKey | null | undefined {
  if (value === null || value === undefined) return null;
  if (!isRecord(value) || !isCount(value.id) || typeof value.name !== "string") return undefined;
  return value as unknown as VerifiedKey;
}

function parseRateLimit(value: unknown): RateLimit | null | undefined {
  if (value === null || value === undefined) return null;
  if (!isRecord(value) || !isCount(value.limit) || !isCount(value.remaining) || !isCount(value.reset)) return undefined;
  return { limit: value.limit, remaining: value.remaining, reset: value.reset };
}

/** The endpoint's 200 answer, or null when it is off the contract. */
function parseAnswer(body: unknown): VerifyResult | null {
  if (!isRecord(body) || typeof body.valid !== "boolean" || typeof body.code !== "string") return null;
  const key = parseKey(body.key);
  const ratelimit = parseRateLimit(body.ratelimit);
  if (key === undefined || ratelimit === undefined) return null;
  // A valid answer must name the key it accepted.
  if (body.valid && (body.code !== "VALID" || key === null)) return null;
  return { valid: body.valid, code: body.code as VerifyCode, key, ratelimit };
}

async function describeRefusal(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  let message = "";
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.message === "string") message = `: ${body.message}`;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return `the verify endpoint answered ${response.status}${message}`;
}

/**
 * A client for the portal's verify endpoint. Connections are kept alive between calls: Node's
 * global fetch (undici) pools them per origin by default.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { serviceToken, failOpen = false, cacheTtlMs = 0 } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? globalThis.fetch;
  if (!serviceToken) throw new TypeError("createVerifier: serviceToken is required");
  const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  const endpoint = new URL(VERIFY_PATH, base).href;
  const cache =
    cacheTtlMs > 0 ? new ResultCache(cacheTtlMs, options.cacheMaxEntries ?? DEFAULT_CACHE_ENTRIES) : undefined;

  /**
   * Fail open only when the endpoint is down (network, timeout, 5xx): a 4xx or an answer off the
   * contract means this service is misconfigured, or the caller sent something the endpoint
   * refuses, and letting that through would open the API to anyone.
   */
  const unavailable = (reason: string, outage: boolean): VerifyResult => ({
    valid: failOpen && outage,
    code: "VERIFY_UNAVAILABLE",
    key: null,
    ratelimit: null,
    reason,
  });

  async function ask(input: VerifyInput): Promise<VerifyResult> {
    const body: Record<string, unknown> = { api_key: input.apiKey, username: input.username };
    if (input.route !== undefined) body.route = input.route;
    if (input.method !== undefined) body.method = input.method.toUpperCase();
    if (input.ip !== undefined) body.ip = input.ip;
    let text: string;
    try {
      const response = await doFetch(endpoint, {
        method: "POST",
        headers: { Authorization: `Bearer ${serviceToken}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) return unavailable(await describeRefusal(response), response.status >= 500);
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const reason = timedOut
        ? `the verify endpoint did not answer within ${timeoutMs} ms`
        : `the verify endpoint could not be reached: ${error instanceof Error ? error.message : String(error)}`;
      return unavailable(reason, true);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    return parseAnswer(answer) ?? unavailable("the verify endpoint's answer is not the verify contract", false);
  }

  return {
    async verifyKey(input) {
      // Nothing to look up: refused here, as the data API refuses a missing header.
      if (!input.apiKey?.trim() || !input.username?.trim()) {
        return { valid: false, code: "NOT_FOUND", key: null, ratelimit: null };
      }
      if (!cache) return ask(input);
      const id = await cacheId(input);
      const cached = cache.get(id, Date.now());
      if (cached) return cached;
      const result = await ask(input);
      cache.set(id, result, Date.now());
      return result;
    },
  };
}

/** One check without keeping a verifier (no cache between calls). */
export function verifyKey(options: VerifierOptions & VerifyInput): Promise<VerifyResult> {
  return createVerifier(options).verifyKey(options);
}
