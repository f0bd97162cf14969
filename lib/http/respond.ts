import { ApiError } from "./errors";

export type Headers = Record<string, string>;

export function json(body: unknown, status = 200, headers: Headers = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    // Every API answer is account data or a credential: never let a shared cache keep it.
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** The one error envelope: { success: false, message }. */
export function errorBody(message: string) {
  return { success: false as const, message };
}

export function errorResponse(error: ApiError): Response {
  return json(errorBody(error.message), error.status, error.headers);
}
