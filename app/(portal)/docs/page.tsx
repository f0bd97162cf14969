import type { Metadata } from "next";
import { headers } from "next/headers";
import { ApiReference } from "@/components/docs/api-reference";
import { CodeBlock, CodeTabs } from "@/components/docs/code-tabs";
import { OwnServiceDocs } from "@/components/docs/own-service-docs";
import { DataTable } from "@/components/ui/table";
import { requireOrganization } from "@/lib/auth/current-organization";
import { roleOf } from "@/lib/auth/roles";
import { gatewayRoutesForPlan } from "@/lib/data-routes/data-routes";
import { someKeyUser } from "@/lib/keys/key-queries";
import { ANONYMOUS_HOURLY_LIMIT, PLAN_LIMITS } from "@/lib/limits/plans";
import { openApiDocument } from "@/lib/openapi/document";

export const metadata: Metadata = { title: "Docs" };

export default async function DocsPage() {
  const { account, organization } = await requireOrganization();
  const h = await headers();
  const host = h.get("host") ?? "localhost:3000";
  const proto =
    h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  const base = `${proto}://${host}`;
  // Filled with what is safe to show: the server's address and a username from your keys — never a key.
  const [user, role, gatewayRoutes] = await Promise.all([
    someKeyUser(organization.id),
    roleOf(account.id),
    gatewayRoutesForPlan(organization.plan),
  ]);
  const username = user ?? "your_username";
  const url = `${base}/api/api-routes-data?id=123`;

  const examples = [
    {
      title: "curl",
      code: `export API_KEY=sk_live_...   # from the copy-once dialog\ncurl "${url}" \\\n  -H "X-API-Key: $API_KEY" \\\n  -H "X-Username: ${username}"`,
    },
    {
      title: "JavaScript (Node 18+)",
      code: `const response = await fetch("${url}", {\n  headers: {\n    "X-API-Key": process.env.API_KEY,\n    "X-Username": "${username}",\n  },\n});\nconsole.log(response.status, await response.json());`,
    },
    {
      title: "Python",
      code: `import os\nimport requests\n\nheaders = {\n    "X-API-Key": os.getenv("API_KEY"),\n    "X-Username": "${username}",\n}\nresponse = requests.get("${base}/api/api-routes-data", params={"id": 123}, headers=headers)\nprint(response.status_code, response.json())`,
    },
    {
      title: "PHP",
      code: `<?php\n$ch = curl_init("${url}");\ncurl_setopt($ch, CURLOPT_HTTPHEADER, [\n    "X-API-Key: " . getenv("API_KEY"),\n    "X-Username: ${username}",\n]);\ncurl_setopt($ch, CURLOPT_RETURNTRANSFER, true);\n$response = curl_exec($ch);\ncurl_close($ch);\necho $response;`,
    },
  ];

  return (
    <article aria-labelledby="docs-heading" className="max-w-3xl">
      <h1 id="docs-heading" className="text-2xl font-semibold">
        Calling the API
      </h1>
      <p className="mt-2 text-sm">
        Send your API key in <code className="font-mono">X-API-Key</code> and the key&apos;s username in{" "}
        <code className="font-mono">X-Username</code>. Keep keys in environment variables or a secret manager, never in
        source code, chat or logs. Changes to a key (deactivation, deletion) apply to the very next request.
      </p>

      <h2 className="mt-8 text-lg font-semibold">Examples</h2>
      <CodeTabs examples={examples} />

      <h2 className="mt-8 text-lg font-semibold">Responses</h2>
      <h3 className="mt-4 text-sm font-semibold">200 OK</h3>
      <CodeBlock title="200 OK response" code={`{\n  "success": true,\n  "data": { "id": 123, ... }\n}`} />

      <h2 className="mt-8 text-lg font-semibold">Troubleshooting</h2>
      <DataTable caption="Error answers and what to check" columns={["Status", "Body", "What to check"]}>
        <tbody className="align-top">
          <tr className="border-b border-slate-100 dark:border-slate-900">
            <td className="py-2 pr-3 font-mono">401</td>
            <td className="pr-3 font-mono text-xs">{`{"success": false, "message": "Invalid or missing authentication"}`}</td>
            <td>
              The key is complete and correct (no leading or trailing spaces), active and not deleted; both headers are
              sent; X-Username is the username the key was generated with.
            </td>
          </tr>
          <tr className="border-b border-slate-100 dark:border-slate-900">
            <td className="py-2 pr-3 font-mono">403</td>
            <td className="pr-3 font-mono text-xs">{`{"success": false, "message": "Insufficient permissions"}`}</td>
            <td>Your subscription is active and in good standing, and your plan includes the route you asked for.</td>
          </tr>
          <tr>
            <td className="py-2 pr-3 font-mono">429</td>
            <td className="pr-3 font-mono text-xs">{`{"success": false, "message": "Rate limit exceeded ..."}`}</td>
            <td>
              Your account made more calls this hour than its plan allows (Free {PLAN_LIMITS.free.requestsPerHour}
              /hour, Professional {PLAN_LIMITS.professional.requestsPerHour?.toLocaleString("en-US")}/hour, all keys
              together). Wait for the time in the Retry-After header.
            </td>
          </tr>
        </tbody>
      </DataTable>

      <OwnServiceDocs base={base} username={username} routes={gatewayRoutes} operator={role === "operator"} />

      <section aria-labelledby="leak-report-heading">
        <h2 id="leak-report-heading" className="mt-8 text-lg font-semibold">
          Report a leaked key
        </h2>
        <p className="mt-2 text-sm">
          Found a key where it should not be (a public repository, a paste, a log)? Secret scanners and people alike can
          post it to <code className="font-mono">POST /api/api-keys/revoke</code> with no other credential: a live key
          is deactivated at once and its owner is told. The answer is always{" "}
          <code className="font-mono">202 {`{"success": true, ...}`}</code>, whether or not the key existed, so the
          endpoint cannot be used to test keys. Each address may report up to{" "}
          {ANONYMOUS_HOURLY_LIMIT.toLocaleString("en-US")} times an hour (shared with failed API calls); past that it
          gets 429 and a Retry-After header.
        </p>
        <CodeBlock
          title="Leak report example"
          code={`curl -X POST "${base}/api/api-keys/revoke" \\\n  -H "Content-Type: application/json" \\\n  -d '{"api_key": "sk_live_EXAMPLE_PLACEHOLDER"}'`}
        />
      </section>

      <section aria-labelledby="api-reference-heading">
        <h2 id="api-reference-heading" className="mt-8 text-lg font-semibold">
          API reference
        </h2>
        <p className="mt-2 text-sm">
          Every endpoint, with an example request and its answers, from the same OpenAPI 3.1 document that is served at{" "}
          <a href="/api/openapi.json" className="text-indigo-700 underline dark:text-indigo-300">
            /api/openapi.json
          </a>{" "}
          for client generators. Errors are always{" "}
          <code className="font-mono">{`{"success": false, "message": "..."}`}</code>.
        </p>
        <ApiReference document={openApiDocument()} />
      </section>
    </article>
  );
}
