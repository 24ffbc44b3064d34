import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { totalDropped } from "../../src/secure/stats.js";
import { CLIENT_ADDRESS, connect, makePair, text, WALL_MS } from "./harness.js";

describe("secure layer: arbitrary input never throws and never delivers", () => {
  const { client, server } = makePair({ seed: 77 });
  const { initiation, response } = connect(client, server, 0);
  const data = client.seal(text("template"), 1)!;
  const cookie = new Uint8Array(40);
  cookie[0] = 3;
  const templates = [initiation, response, data, cookie, Uint8Array.of(5, 0, 0, 0, 1, 2, 3, 4)];

  const mutated = fc
    .tuple(
      fc.constantFrom(...templates),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([t, flips, cut]) => {
      const out = Uint8Array.from(t);
      for (const [at, x] of flips) out[at % out.length] = out[at % out.length]! ^ x;
      return cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
    });
  const input = fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated);

  test("server: every mutated or random datagram is dropped or answered, never delivered", () => {
    const before = server.stats.opened;
    fc.assert(
      fc.property(input, (d) => {
        const r = server.receive(d, CLIENT_ADDRESS, 2);
        assert.notEqual(r.kind, "data");
      }),
      { numRuns: 2000 },
    );
    assert.equal(server.stats.opened, before);
  });

  test("client: every mutated or random datagram is dropped, never delivered or established", () => {
    client.initiate(3, WALL_MS + 3); // a handshake in progress, so responses are considered
    fc.assert(
      fc.property(input, (d) => {
        const r = client.receive(d, 3);
        assert.ok(r.kind === "dropped" || r.kind === "rehandshake", JSON.stringify(r));
      }),
      { numRuns: 2000 },
    );
    assert.ok(totalDropped(client.stats) > 0);
  });
});
