import http from "node:http";
import { expect, test } from "@playwright/test";

// Requests Next itself would answer with a text/plain 500: the production server answers them
// with the JSON envelope and the security headers (scripts/server.mjs).
const PORT = Number(process.env.E2E_PORT ?? 3100);

/** A raw request, so the method and the path go out exactly as written. */
function raw(
  method: string,
  path: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: PORT, method, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

for (const [method, path, status, message] of [
  ["TRACE", "/api/api-keys", 405, "Method not allowed"],
  ["PROPFIND", "/api/health", 405, "Method not allowed"],
  ["GET", "/api/api-keys/%E0%A4%A", 400, "Malformed URL: invalid percent-encoding in the path"],
  ["POST", "/api/%zz", 400, "Malformed URL: invalid percent-encoding in the path"],
] as const) {
  test(`${method} ${path} gets the JSON envelope ${status} with the security headers`, async () => {
    const response = await raw(method, path);
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(JSON.parse(response.body)).toEqual({ success: false, message });
  });
}

test("a well-formed request still reaches Next", async () => {
  const response = await raw("GET", "/api/health");
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toMatchObject({ status: expect.any(String) });
});
