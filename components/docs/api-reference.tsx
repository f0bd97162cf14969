import type { OpenApiDocument } from "@/lib/openapi/document";
import { exampleRequest, exampleResponses, type DocumentOperation } from "@/lib/openapi/operation-examples";

/**
 * The REST API as the OpenAPI document (lib/openapi/document.ts) describes it, rendered on the
 * server: one collapsible entry per operation, grouped by tag, with an example request and
 * response built from the document's own examples, so the page and /api/openapi.json can never
 * disagree. Plain <details>/<summary>: keyboard and screen-reader support come with the
 * element, and nothing ships to the browser; each example is a focusable region, so a keyboard
 * can scroll a long one.
 */

type Schema = Record<string, unknown>;
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const METHOD_TONE: Record<(typeof METHODS)[number], string> = {
  get: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
  post: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  put: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  patch: "bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100",
  delete: "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100",
};

const AUTH_LABELS: Record<string, string> = {
  BearerAuth: "Bearer token (Authorization: Bearer …)",
  ApiKey: "X-API-Key",
  ApiUsername: "X-Username",
};

const cell = "py-1.5 pr-3 align-top";
const subheading = "mt-4 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400";

/** A $ref's target inside the document, and the component name it had ("Key"), if any. */
function resolve(document: OpenApiDocument, node: unknown): { schema: Schema; name?: string } {
  let current = node as Schema;
  let name: string | undefined;
  while (current && typeof current.$ref === "string") {
    const pointer = current.$ref.replace(/^#\//, "").split("/");
    name = pointer[pointer.length - 1];
    current = pointer.reduce<Schema>((at, part) => at[part] as Schema, document as unknown as Schema);
  }
  return { schema: current ?? {}, name };
}

/** "string", "integer or null", "array of Key", "\"active\" | \"inactive\"". */
function typeLabel(document: OpenApiDocument, node: unknown): string {
  const { schema, name } = resolve(document, node);
  if (name) return name;
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as unknown[]).map((branch) => typeLabel(document, branch));
    return [...new Set(branches)].join(" or ");
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  if ("const" in schema) return JSON.stringify(schema.const);
  const types = ([] as unknown[]).concat(schema.type ?? "any") as string[];
  return types.map((type) => (type === "array" ? `array of ${typeLabel(document, schema.items)}` : type)).join(" or ");
}

/** Limits worth telling a caller: lengths, ranges, patterns, defaults. */
function constraints(document: OpenApiDocument, node: unknown): string[] {
  const { schema } = resolve(document, node);
  const notes: string[] = [];
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    notes.push(`${schema.minLength ?? 0}–${schema.maxLength ?? "∞"} characters`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    notes.push(`${schema.minimum ?? "−∞"} to ${schema.maximum ?? "∞"}`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined)
    notes.push(`${schema.minItems ?? 0}–${schema.maxItems ?? "∞"} items`);
  if (typeof schema.pattern === "string") notes.push(`matches ${schema.pattern}`);
  if (schema.format) notes.push(String(schema.format));
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes;
}

function FieldTable({
  document,
  caption,
  rows,
}: {
  document: OpenApiDocument;
  caption: string;
  rows: Array<{ name: string; schema: unknown; required: boolean; description?: string }>;
}) {
  return (
    <div className="mt-1 overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className={`${cell} font-medium`}>
              Name
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Type
            </th>
            <th scope="col" className={`${cell} font-medium`}>
              Notes
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const { schema } = resolve(document, row.schema);
            const description = row.description ?? (schema.description as string | undefined);
            const notes = [row.required ? "required" : "optional", ...constraints(document, row.schema)];
            return (
              <tr key={row.name} className="border-b border-slate-100 dark:border-slate-900">
                <td className={`${cell} font-mono text-xs`}>{row.name}</td>
                <td className={`${cell} font-mono text-xs`}>{typeLabel(document, row.schema)}</td>
                <td className={`${cell} text-xs`}>
                  {notes.join("; ")}
                  {description && <span className="block text-slate-600 dark:text-slate-400">{description}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** An example as preformatted text, named for screen readers and reachable by Tab to scroll. */
function Example({ label, code }: { label: string; code: string }) {
  return (
    <pre
      tabIndex={0}
      aria-label={label}
      className="mt-1 max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:bg-slate-800"
    >
      <code>{code}</code>
    </pre>
  );
}

/** The properties of an object schema as table rows. */
function propertyRows(document: OpenApiDocument, node: unknown) {
  const { schema } = resolve(document, node);
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries((schema.properties ?? {}) as Record<string, unknown>).map(([name, property]) => ({
    name,
    schema: property,
    required: required.has(name),
  }));
}

function Operation({
  document,
  path,
  method,
  operation,
}: {
  document: OpenApiDocument;
  path: string;
  method: (typeof METHODS)[number];
  operation: Schema;
}) {
  const security = (operation.security ?? []) as Array<Record<string, string[]>>;
  const auth = security.length
    ? security
        .map((requirement) =>
          Object.keys(requirement)
            .map((name) => AUTH_LABELS[name] ?? name)
            .join(" + "),
        )
        .join(", or ")
    : "None";
  const parameters = ((operation.parameters ?? []) as Schema[]).map((parameter) => resolve(document, parameter).schema);
  const body = resolve(document, operation.requestBody).schema as { content?: Record<string, { schema: unknown }> };
  const bodySchema = body.content?.["application/json"]?.schema;
  const responses = Object.entries((operation.responses ?? {}) as Record<string, unknown>);
  const label = `${method.toUpperCase()} ${path}`;
  // The reading above is loose (Schema); the examples read the document's own types.
  const documented = operation as unknown as DocumentOperation;

  return (
    <details className="rounded-md border border-slate-200 dark:border-slate-800">
      <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-3 py-2 text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500">
        <span
          className={`inline-block w-16 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold ${METHOD_TONE[method]}`}
        >
          {method.toUpperCase()}
        </span>
        <code className="font-mono text-sm break-all">{path}</code>
        <span className="text-slate-600 dark:text-slate-400">{String(operation.summary ?? "")}</span>
      </summary>
      <div className="border-t border-slate-200 px-3 pt-1 pb-3 dark:border-slate-800">
        {typeof operation.description === "string" && <p className="mt-2 text-sm">{operation.description}</p>}
        <p className="mt-2 text-sm">
          <span className="font-medium">Authentication:</span> {auth}
        </p>

        {parameters.length > 0 && (
          <>
            <h4 className={subheading}>Parameters</h4>
            <FieldTable
              document={document}
              caption={`Parameters of ${label}`}
              rows={parameters.map((parameter) => ({
                name: `${String(parameter.name)} (${String(parameter.in)})`,
                schema: parameter.schema,
                required: parameter.required === true,
                description: parameter.description as string | undefined,
              }))}
            />
          </>
        )}

        {bodySchema !== undefined && (
          <>
            <h4 className={subheading}>Request body (JSON)</h4>
            {typeof (body as Schema).description === "string" && (
              <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{String((body as Schema).description)}</p>
            )}
            <FieldTable
              document={document}
              caption={`Request body of ${label}`}
              rows={propertyRows(document, bodySchema)}
            />
          </>
        )}

        <h4 className={subheading}>Responses</h4>
        <dl className="mt-1 space-y-1 text-sm">
          {responses.map(([status, response]) => {
            const resolved = resolve(document, response).schema as {
              description?: string;
              content?: Record<string, { schema: unknown }>;
            };
            const [mediaType, media] = Object.entries(resolved.content ?? {})[0] ?? [];
            return (
              <div key={status} className="flex flex-wrap gap-x-2">
                <dt className="font-mono font-semibold">{status}</dt>
                <dd>
                  {resolved.description}
                  {media && (
                    <span className="text-slate-600 dark:text-slate-400">
                      {" "}
                      — {mediaType === "application/json" ? typeLabel(document, media.schema) : mediaType}
                    </span>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>

        <h4 className={subheading}>Example request</h4>
        <Example label={`Example request: ${label}`} code={exampleRequest(path, method, documented)} />
        {exampleResponses(documented).map((example) => (
          <div key={example.status}>
            <h4 className={subheading}>
              Example response: <span className="font-mono">{example.status}</span>
            </h4>
            <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{example.description}</p>
            <Example label={`Example ${example.status} response: ${label}`} code={example.body} />
          </div>
        ))}
      </div>
    </details>
  );
}

/** The body schemas responses name (Key, TokenPair, …), each with its fields. */
function Schemas({ document }: { document: OpenApiDocument }) {
  const schemas = Object.entries((document.components?.schemas ?? {}) as Record<string, Schema>).filter(
    // Request bodies are shown with their operation; these are what the responses name.
    ([name, schema]) => schema.type === "object" && schema.properties && !/Request$|^LeakReport$/.test(name),
  );
  return (
    <div className="mt-3 space-y-2">
      {schemas.map(([name, schema]) => (
        <details key={name} className="rounded-md border border-slate-200 dark:border-slate-800">
          <summary className="cursor-pointer px-3 py-2 font-mono text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500">
            {name}
          </summary>
          <div className="border-t border-slate-200 px-3 pb-3 dark:border-slate-800">
            {typeof schema.description === "string" && <p className="mt-2 text-sm">{schema.description}</p>}
            <FieldTable document={document} caption={`Fields of ${name}`} rows={propertyRows(document, schema)} />
          </div>
        </details>
      ))}
    </div>
  );
}

export function ApiReference({ document }: { document: OpenApiDocument }) {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method] as Schema | undefined;
      return operation ? [{ path, method, operation }] : [];
    }),
  );
  const tags = (document.tags ?? []).map((tag) => tag.name);

  return (
    <>
      {tags.map((tag) => {
        const tagged = operations.filter(({ operation }) => (operation.tags as string[] | undefined)?.includes(tag));
        if (!tagged.length) return null;
        const id = `api-${tag.toLowerCase().replace(/\W+/g, "-")}`;
        return (
          <section key={tag} aria-labelledby={id} className="mt-6">
            <h3 id={id} className="text-base font-semibold">
              {tag}
            </h3>
            <div className="mt-2 space-y-2">
              {tagged.map(({ path, method, operation }) => (
                <Operation
                  key={`${method} ${path}`}
                  document={document}
                  path={path}
                  method={method}
                  operation={operation}
                />
              ))}
            </div>
          </section>
        );
      })}
      <section aria-labelledby="api-schemas" className="mt-6">
        <h3 id="api-schemas" className="text-base font-semibold">
          Schemas
        </h3>
        <p className="mt-1 text-sm">The bodies the responses above name.</p>
        <Schemas document={document} />
      </section>
    </>
  );
}
