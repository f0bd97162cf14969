import type { VerifyKeyInput } from "../keys/key-schemas";
import { FORBIDDEN_MESSAGE } from "../http/errors";
import { findApiRoute, findApiRouteBySlug } from "../data-routes/data-routes";
import { andThen, type Maybe } from "../runtime/maybe";
import {
  decideCall,
  recordCall,
  type DataRequest,
  type Decision,
  type DecisionCode,
  type LocateRoute,
  type Refusal,
} from "./serve-data-request";
import { NativeDate } from "../runtime/native-date";

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

const unknownRoute = (route: string | number): Refusal => ({ status: 404, message: `No route ${route}` });

/** The call's route; without one, a key limited to routes is refused (the call names none of them). */
function locate(route: string | number | undefined, now: number): LocateRoute {
  return (caller) => {
    if (route === undefined) return caller.routes ? { status: 403, message: FORBIDDEN_MESSAGE } : null;
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

/** The call's decision as a code (at once when everything it needs is in memory, else a promise). */
export function verifyCall(
  input: VerifyKeyInput,
  serviceTokenId: number,
  userAgent: string,
  now = new NativeDate(),
): Maybe<VerifyAnswer> {
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
  return andThen(decideCall(request, locate(input.route, now.getTime()), now), (decision) => {
    recordCall(request, request.url, decision, decision.refusal?.status ?? 200, now);
    return toAnswer(decision);
  });
}
