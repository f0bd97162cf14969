import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiReference } from "@/components/docs/api-reference";
import { openApiDocument } from "@/lib/openapi/document";
import { exampleRequest, exampleResponses } from "@/lib/openapi/operation-examples";

/**
 * The docs page's API reference shows, for every operation, an example request and its answers
 * built from the OpenAPI document's own examples (not a copy that could drift), in focusable
 * blocks a keyboard can reach and scroll.
 */

const document = openApiDocument();
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  METHODS.flatMap((method) => (item[method] ? [{ path, method, operation: item[method] }] : [])),
);
const html = renderToStaticMarkup(createElement(ApiReference, { document }));

/** Text as React writes it into markup. */
const escaped = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#x27;");
/** Whether the markup holds `text` (a boolean: a failure should not print the whole page). */
const shows = (text: string) => html.includes(escaped(text));

describe("the docs page's API reference", () => {
  it("shows every operation's example request, as HTTP with its parameters, credentials and body", () => {
    const patch = exampleRequest("/api/api-keys/{id}", "patch", document.paths!["/api/api-keys/{id}"].patch!);
    expect(patch.split("\n").slice(0, 4)).toEqual([
      "PATCH /api/api-keys/42",
      "Authorization: Bearer <access token>",
      "Content-Type: application/json",
      "",
    ]);
    expect(JSON.parse(patch.split("\n\n")[1])).toEqual(
      (document.paths!["/api/api-keys/{id}"].patch!.requestBody as { content: Record<string, { example: unknown }> })
        .content["application/json"].example,
    );
    expect(exampleRequest("/api/api-routes-data", "get", document.paths!["/api/api-routes-data"].get!)).toBe(
      "GET /api/api-routes-data?id=123\nX-API-Key: <API key>\nX-Username: <the key's username>",
    );

    for (const { path, method, operation } of operations) {
      const label = `${method.toUpperCase()} ${path}`;
      expect(html.includes(`aria-label="${escaped(`Example request: ${label}`)}"`), label).toBe(true);
      expect(shows(exampleRequest(path, method, operation)), `${label}: request`).toBe(true);
    }
  });

  it("shows every operation's success answer and one error from the document's examples", () => {
    for (const { path, method, operation } of operations) {
      const label = `${method.toUpperCase()} ${path}`;
      const examples = exampleResponses(operation);
      expect(examples[0]?.status, `${label}: success first`).toMatch(/^2/);
      expect(examples[1]?.status, `${label}: then an error`).toMatch(/^[45]/);
      for (const example of examples) {
        const named = `aria-label="${escaped(`Example ${example.status} response: ${label}`)}"`;
        expect(html.includes(named), `${label}: ${example.status} named`).toBe(true);
        expect(shows(example.body), `${label}: ${example.status} body`).toBe(true);
      }
    }
    const generate = exampleResponses(document.paths!["/api/api-keys/generate"].post!);
    expect(generate.map(({ status }) => status)).toEqual(["201", "400"]);
    expect(JSON.parse(generate[1].body)).toEqual({ success: false, message: "api_key_name must not be empty" });
  });

  it("puts each example in a focusable, named region, so a keyboard can reach and scroll it", () => {
    const blocks = html.match(/<pre [^>]*>/g) ?? [];
    expect(blocks.length).toBeGreaterThanOrEqual(operations.length * 3);
    for (const block of blocks) {
      expect(block).toContain('tabindex="0"');
      expect(block).toMatch(/aria-label="[^"]+"/);
    }
  });
});
