// The gateway's yardstick: node:http in front of undici's request to the upstream, with no
// checks, no headers rewritten and no usage row; the gateway's irreducible work is this. Its
// pool has the gateway's bound per origin (lib/gateway/upstream-client.ts) and keep-alive, and it
// streams the answer as the gateway does (pipe, the upstream failing ends the answer), so the two
// differ by the gateway's checks only. Its own process, as the production server has.
// Usage: node scripts/support/bench-raw-proxy.mjs <port> <upstream origin>
import http from "node:http";
import { Agent, request } from "undici";

const [port, upstream] = process.argv.slice(2);
const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

http
  .createServer((req, res) => {
    const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    request(upstream + req.url, {
      method: req.method,
      headers: req.headers["content-length"] ? { "content-length": req.headers["content-length"] } : {},
      body: hasBody ? req : null,
      dispatcher,
    }).then(
      (answer) => {
        const headers = { "content-type": answer.headers["content-type"] };
        if (answer.headers["content-length"]) headers["content-length"] = answer.headers["content-length"];
        res.writeHead(answer.statusCode, headers);
        answer.body.once("error", () => res.destroy());
        answer.body.pipe(res);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  })
  .listen(Number(port), "127.0.0.1", () => console.log("raw proxy ready"));
