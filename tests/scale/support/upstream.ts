// A local upstream for the gateway: answers every request with what it received, and keeps it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";

interface Seen {
  upstream: string;
  method: string;
  url: string;
  keyId: string | undefined;
  username: string | undefined;
}

export interface Upstream {
  /** The base URL a route names: the gateway appends the call's path to /base. */
  base: string;
  seen: Seen[];
  stop(): Promise<void>;
}

export async function startUpstream(name: string): Promise<Upstream> {
  const seen: Seen[] = [];
  const app = express();
  app.use((req, res) => {
    const echo: Seen = {
      upstream: name,
      method: req.method,
      url: req.originalUrl,
      keyId: req.get("x-key-id"),
      username: req.get("x-username"),
    };
    seen.push(echo);
    res.json(echo);
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { base: `http://127.0.0.1:${port}/base`, seen, stop };
}
