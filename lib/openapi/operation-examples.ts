import type { OpenApiDocument } from "./document";
import { JSON_TYPE } from "./operation-parts";

/**
 * An operation's examples as a reader wants them: the request as HTTP (its parameters' and
 * body's examples, and where the credentials go) and the answers' bodies. Built from the
 * document, so the docs page shows the very examples a client generator sees.
 */

type PathItem = NonNullable<OpenApiDocument["paths"]>[string];
export type DocumentOperation = NonNullable<PathItem["get"]>;

// The header each security scheme takes, with a placeholder for its value: never a real secret.
const CREDENTIAL_HEADERS: Record<string, string> = {
  BearerAuth: "Authorization: Bearer <access token>",
  ApiKey: "X-API-Key: <API key>",
  ApiUsername: "X-Username: <the key's username>",
  ServiceToken: "Authorization: Bearer <service token>",
};

/** "PATCH /api/api-keys/42", the credentials' headers, and the JSON body, as one HTTP request. */
export function exampleRequest(path: string, method: string, operation: DocumentOperation): string {
  let target = path;
  const query: string[] = [];
  for (const parameter of operation.parameters ?? []) {
    if ("$ref" in parameter || parameter.example === undefined) continue;
    const value = encodeURIComponent(String(parameter.example));
    if (parameter.in === "path") target = target.replace(`{${parameter.name}}`, value);
    if (parameter.in === "query") query.push(`${encodeURIComponent(parameter.name)}=${value}`);
  }
  const lines = [`${method.toUpperCase()} ${target}${query.length ? `?${query.join("&")}` : ""}`];
  // The first way to authenticate: the others are alternatives.
  for (const scheme of Object.keys(operation.security?.[0] ?? {})) {
    if (CREDENTIAL_HEADERS[scheme]) lines.push(CREDENTIAL_HEADERS[scheme]);
  }
  const body =
    operation.requestBody && !("$ref" in operation.requestBody)
      ? operation.requestBody.content[JSON_TYPE]?.example
      : undefined;
  if (body !== undefined) lines.push(`Content-Type: ${JSON_TYPE}`, "", JSON.stringify(body, null, 2));
  return lines.join("\n");
}

// The document's responses are written inline (operation-parts.ts), never as a $ref.
interface ResponseWithExamples {
  description: string;
  content?: Record<string, { example?: unknown }>;
}

export interface ExampleResponse {
  status: string;
  description: string;
  body: string;
}

/** The success answer's example, then one error's (a 4xx before a 5xx), as each is sent. */
export function exampleResponses(operation: DocumentOperation): ExampleResponse[] {
  const responses = (operation.responses ?? {}) as Record<string, ResponseWithExamples>;
  const withExamples = Object.entries(responses).flatMap(([status, response]) => {
    const [mediaType, media] =
      Object.entries(response.content ?? {}).find(([, candidate]) => candidate.example !== undefined) ?? [];
    if (!media) return [];
    const body = mediaType === JSON_TYPE ? JSON.stringify(media.example, null, 2) : String(media.example);
    return [{ status, description: response.description, body }];
  });
  const success = withExamples.find(({ status }) => status.startsWith("2"));
  const failure =
    withExamples.find(({ status }) => status.startsWith("4")) ??
    withExamples.find(({ status }) => status.startsWith("5"));
  return [success, failure].filter((example): example is ExampleResponse => example !== undefined);
}
