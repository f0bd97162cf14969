// The gateway bench's upstream: a bare node:http server, in its own process so neither the
// gateway nor the raw proxy shares an event loop with it. GET /download streams <bulk bytes>, or
// ?bytes=N (backpressure respected, one reused chunk), a POST is read to its end and answered with the
// byte count, any other call gets one constant JSON body.
// Usage: node scripts/support/bench-upstream.mjs <port> <bulk bytes>
import http from "node:http";

const [port, bulk] = process.argv.slice(2).map(Number);
const constant = JSON.stringify({ success: true, data: { id: 123, name: "Sample route" } });
const chunk = Buffer.alloc(64 * 1024, "x");

function streamBulk(res, size) {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
  let left = size;
  const pump = () => {
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) return void res.once("drain", pump);
    }
    res.end();
  };
  pump();
}

http
  .createServer((req, res) => {
    if (req.method === "POST") {
      let received = 0;
      req.on("data", (data) => (received += data.length));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ received }));
      });
      return;
    }
    const url = new URL(req.url ?? "/", "http://upstream");
    if (url.pathname.endsWith("/download")) return streamBulk(res, Number(url.searchParams.get("bytes") ?? bulk));
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(constant);
  })
  .listen(port, "127.0.0.1", () => console.log("bench upstream ready"));
