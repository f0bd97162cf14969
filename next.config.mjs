import securityHeaders from "./lib/http/security-headers.json" with { type: "json" };

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Database drivers and their Prisma adapters (native or not), Redis and bcryptjs stay outside
  // the bundle: loaded from node_modules once, as Node would.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "pg",
    "@prisma/adapter-pg",
    "ioredis",
    "bcryptjs",
  ],
  async headers() {
    return [
      {
        source: "/:path*",
        // The same list the production server's fast path sends (lib/data-api/fast-path.ts).
        headers: Object.entries(securityHeaders).map(([key, value]) => ({ key, value })),
      },
    ];
  },
};

export default nextConfig;
