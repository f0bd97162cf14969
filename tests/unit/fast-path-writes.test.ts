import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { send } from "@/lib/data-api/fast-path";

// The fast path writes the answers decided in one turn of the event loop together, at its end
// (lib/data-api/fast-path.ts, send): each is written exactly once, in order, with its headers,
// and one that cannot be written does not hold back the others.
function fakeResponse(log: string[], name: string, failing = false) {
  const res = {
    destroyed: false,
    writeHead(status: number, headers: string[]) {
      if (failing) throw new Error("socket gone");
      // Names in lower case (Node then makes no lower-case copy of each); values as given.
      const names = headers.filter((_, i) => i % 2 === 0);
      if (names.some((header) => header !== header.toLowerCase())) throw new Error(`not lower case: ${names}`);
      log.push(`${name} head ${status} ${headers.includes("x-ratelimit-remaining") ? "limited" : "plain"}`);
    },
    end(payload: string) {
      log.push(`${name} end ${payload}`);
    },
    destroy() {
      res.destroyed = true;
      log.push(`${name} destroyed`);
    },
  };
  return res;
}

describe("the fast path's answers", () => {
  it("are written together once the turn's requests are decided, in order", async () => {
    const log: string[] = [];
    const a = fakeResponse(log, "a");
    const b = fakeResponse(log, "b", true);
    const c = fakeResponse(log, "c");
    send(a as unknown as ServerResponse, 200, { success: true }, { "X-RateLimit-Remaining": "5" });
    send(b as unknown as ServerResponse, 401, { success: false }, {});
    send(c as unknown as ServerResponse, 429, { success: false, message: "slow down" }, {});
    expect(log).toEqual([]); // nothing written while the turn's requests are being decided
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([
      "a head 200 limited",
      'a end {"success":true}',
      "b destroyed",
      "c head 429 plain",
      'c end {"success":false,"message":"slow down"}',
    ]);
    expect(b.destroyed).toBe(true);
    // A later turn's answer is written in its own turn.
    const d = fakeResponse(log, "d");
    send(d as unknown as ServerResponse, 200, {}, {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.slice(-2)).toEqual(["d head 200 plain", "d end {}"]);
  });

  it("are written at once when eight wait, without waiting for the turn's end", () => {
    const log: string[] = [];
    for (let i = 1; i <= 9; i++) {
      send(fakeResponse(log, `r${i}`) as unknown as ServerResponse, 200, { n: i }, {});
      if (i < 8) expect(log).toEqual([]);
    }
    // The eighth answer wrote the eight; the ninth waits for the turn's end.
    expect(log.filter((line) => line.includes(" end "))).toEqual(
      Array.from({ length: 8 }, (_, i) => `r${i + 1} end {"n":${i + 1}}`),
    );
  });
});
