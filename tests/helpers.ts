import { seedSampleRoutes } from "@/lib/data-routes/data-routes";

/** Route handlers take (Request, { params: Promise }): these build both like Next does. */
const BASE = "http://localhost:3000";

export function request(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  return new Request(BASE + path, { method, headers, body });
}

export function ctx<P>(params: P) {
  return { params: Promise.resolve(params) };
}

export const noParams = ctx({});

export async function readBody(response: Response): Promise<any> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export { seedSampleRoutes };
