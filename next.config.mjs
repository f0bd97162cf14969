import securityHeaders from "./lib/http/security-headers.json" with { type: "json" };

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Database drivers and their Prisma adapters (native or not), Redis, bcryptjs, the logger and
  // the metrics client stay outside the bundle: loaded from node_modules once, as Node would.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "pg",
    "@prisma/adapter-pg",
    "ioredis",
    "bcryptjs",
    "pino",
    "pino-pretty",
    "prom-client",
  ],
  async headers() {
    const { "Content-Security-Policy": apiPolicy, ...everywhere } = securityHeaders;
    return [
      {
        source: "/:path*",
        // The same list the production server's fast path sends (lib/data-api/fast-path.ts).
        headers: Object.entries(everywhere).map(([key, value]) => ({ key, value })),
      },
      // Pages get a nonce-based policy per response from proxy.ts (a header here would replace it).
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: apiPolicy }] },
    ];
  },
};

export default nextConfig;
