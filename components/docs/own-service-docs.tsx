import { CodeTabs } from "@/components/docs/code-tabs";
import { DataTable } from "@/components/ui/table";

export interface GatewayRoute {
  slug: string;
  name: string;
  methods: string[];
}

/**
 * The Docs page's part on the operator's own API: the gateway URL of each upstream route the
 * account's plan may call (with examples for the first), and for operators, how a service verifies
 * keys itself. Only what is safe to show: addresses, slugs and a username, never a key or token.
 */
export function OwnServiceDocs({
  base,
  username,
  routes,
  operator,
}: {
  base: string;
  username: string;
  routes: GatewayRoute[];
  operator: boolean;
}) {
  const first = routes[0];
  const gatewayUrl = first ? `${base}/gw/${first.slug}/` : "";
  const gatewayExamples = first
    ? [
        {
          title: "curl",
          code: `curl "${gatewayUrl}" \\\n  -H "X-API-Key: $API_KEY" \\\n  -H "X-Username: ${username}"`,
        },
        {
          title: "JavaScript (Node 18+)",
          code: `const response = await fetch("${gatewayUrl}", {\n  headers: { "X-API-Key": process.env.API_KEY, "X-Username": "${username}" },\n});\nconsole.log(response.status, await response.text());`,
        },
        {
          title: "Python",
          code: `import os\nimport requests\n\nresponse = requests.get(\n    "${gatewayUrl}",\n    headers={"X-API-Key": os.getenv("API_KEY"), "X-Username": "${username}"},\n)\nprint(response.status_code, response.text)`,
        },
      ]
    : [];
  const verifyUrl = `${base}/api/v1/keys/verify`;
  const route = first?.slug ?? "your-route";
  const verifyExamples = [
    {
      title: "curl",
      code: `curl -X POST "${verifyUrl}" \\\n  -H "Authorization: Bearer $SERVICE_TOKEN" \\\n  -H "Content-Type: application/json" \\\n  -d '{"api_key": "'"$CALLER_KEY"'", "username": "${username}", "route": "${route}", "method": "GET", "ip": "203.0.113.7"}'`,
    },
    {
      title: "Node (@keyportal/verify)",
      code: `import express from "express";\nimport { createVerifier, expressMiddleware } from "@keyportal/verify";\n\nconst verifier = createVerifier({ baseUrl: "${base}", serviceToken: process.env.SERVICE_TOKEN });\nconst app = express();\napp.get("/orders", expressMiddleware(verifier, { route: "${route}" }), (req, res) => {\n  res.json({ calledBy: req.apiKey.name });\n});\napp.listen(8080);`,
    },
    {
      title: "Python",
      code: `import os\nimport requests\n\nanswer = requests.post(\n    "${verifyUrl}",\n    headers={"Authorization": f"Bearer {os.getenv('SERVICE_TOKEN')}"},\n    json={"api_key": caller_key, "username": caller_username, "route": "${route}", "ip": caller_ip},\n    timeout=2,\n).json()\nif not answer["valid"]:\n    ...  # 401 for NOT_FOUND, DISABLED, EXPIRED, USERNAME_MISMATCH; 403; 429 for RATE_LIMITED`,
    },
  ];

  return (
    <section aria-labelledby="own-service-heading">
      <h2 id="own-service-heading" className="mt-8 text-lg font-semibold">
        Your service behind these keys
      </h2>
      {routes.length ? (
        <>
          <p className="mt-2 text-sm">
            The gateway checks the key as the data API does (status, expiry, routes, IP allow-list, plan, hourly limit)
            and forwards the call, path, query and body included, to the route&apos;s service.
          </p>
          <DataTable caption="Gateway routes your plan may call" columns={["Route", "Gateway URL", "Methods"]}>
            <tbody className="align-top">
              {routes.map((r) => (
                <tr key={r.slug} className="border-b border-slate-100 dark:border-slate-900">
                  <td className="py-2 pr-3">{r.name}</td>
                  <td className="pr-3 font-mono text-xs break-all">{`${base}/gw/${r.slug}/…`}</td>
                  <td>{r.methods.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          <CodeTabs examples={gatewayExamples} label="Gateway example" />
        </>
      ) : (
        <p className="mt-2 text-sm">No gateway routes yet: an operator adds them on the Routes page.</p>
      )}
      {operator && (
        <>
          <h3 className="mt-6 text-sm font-semibold">Verify keys from your own service</h3>
          <p className="mt-2 text-sm">
            A service that keeps its own edge asks <code className="font-mono">POST /api/v1/keys/verify</code> with a
            service token (operators make them with <code className="font-mono">POST /api/admin/service-tokens</code>).
            Every well-formed call answers 200 with <code className="font-mono">valid</code>,{" "}
            <code className="font-mono">code</code>, <code className="font-mono">key</code> and{" "}
            <code className="font-mono">ratelimit</code>; pass the end caller&apos;s address as{" "}
            <code className="font-mono">ip</code>, so failures count against that caller, not your service.
          </p>
          <CodeTabs examples={verifyExamples} label="Verify example" />
        </>
      )}
    </section>
  );
}
