import type { VerifyKeyInput } from "../keys/key-schemas";
import { FORBIDDEN_MESSAGE } from "../http/errors";
import { findApiRoute, findApiRouteBySlug, type ApiRouteData } from "../data-routes/data-routes";
import {
  andThen,
  decideCall,
  NativeDate,
  recordCall,
  type DataRequest,
  type Decision,
  type DecisionCode,
  type Refusal,
} from "./serve-data-request";

/**
 * POST /api/v1/keys/verify: the data API's decision for a call a service is about to serve
 * itself, answered as a code instead of a status. It counts against the key's quota and writes a
 * usage row as a data call does (with the caller's route and method). Failures are charged to the
 * per-IP budget of the end caller's address (`ip`), or without one to the service token's own
 * budget: never to the service's address, or one abuser would lock out everyone behind it.
 */

export interface VerifyAnswer {
  valid: boolean;
  code: DecisionCode;
  key: {
    id: number;
    name: string;
    environment: string;
    owner_id: number;
    plan: string;
    routes: number[] | null;
    read_only: boolean;
    expires_at: string | null;
  } | null;
  ratelimit: { limit: number; remaining: number; reset: number } | null;
}

/** Without a route: the key's own checks only, and a key limited to routes is refused (it names none). */
const NO_ROUTE: ApiRouteData = Object.freeze({
  id: 0,
  slug: "",
  minPlan: "free",
  data: {},
  upstreamUrl: null,
  methods: [],
  timeoutMs: 0,
}) as ApiRouteData;

const unknownRoute = (route: string | number): Refusal => ({ status: 404, message: `No route ${route}` });

function locate(route: string | number | undefined, now: number) {
  return (caller: { routes?: number[] | null }): ApiRouteData | Refusal | Promise<ApiRouteData | Refusal> => {
    if (route === undefined) return caller.routes ? { status: 403, message: FORBIDDEN_MESSAGE } : NO_ROUTE;
    const found = typeof route === "number" ? findApiRoute(route, now) : findApiRouteBySlug(route, now);
    return andThen(found, (row) => row ?? unknownRoute(route));
  };
}

/** The path the usage log keeps for the call: the route it was for, as the gateway or data API would log it. */
function usagePath(route: string | number | undefined): string {
  if (route === undefined) return "/api/v1/keys/verify";
  return typeof route === "number" ? `/api/api-routes-data?id=${route}` : `/gw/${route}`;
}

function toAnswer(decision: Decision): VerifyAnswer {
  const { caller, owner, code, limit } = decision;
  const counted = owner !== null;
  return {
    valid: code === "VALID",
    code,
    key:
      caller && decision.matched && !caller.deleted
        ? {
            id: caller.keyId,
            name: caller.keyName,
            environment: caller.environment ?? "production",
            owner_id: caller.ownerId,
            plan: owner?.plan ?? "",
            routes: caller.routes ?? null,
            read_only: caller.readOnly ?? false,
            expires_at: caller.expiresAt?.toISOString() ?? null,
          }
        : null,
    ratelimit: counted
      ? { limit: limit.limit, remaining: limit.remaining, reset: Math.ceil(limit.resetAt / 1000) }
      : null,
  };
}

export async function verifyCall(
  input: VerifyKeyInput,
  serviceTokenId: number,
  userAgent: string,
  now = new NativeDate(),
): Promise<VerifyAnswer> {
  const method = input.method ?? "GET";
  const request: DataRequest = {
    method,
    url: usagePath(input.route),
    ip: input.ip ?? `service-token:${serviceTokenId}`,
    headers: {
      get: (name) =>
        name === "x-api-key"
          ? input.api_key
          : name === "x-username"
            ? input.username
            : name === "user-agent"
              ? userAgent
              : null,
    },
  };
  const decision = await decideCall(request, locate(input.route, now.getTime()), now);
  recordCall(request, request.url, decision, decision.refusal?.status ?? 200, now);
  return toAnswer(decision);
}
