import assert from "node:assert/strict";
import { test } from "node:test";
import { type ClientOf, defineProgram, type HandlersOf, xdr } from "lupine";

const PingV1 = defineProgram({
  name: "PING_PROG",
  program: 0x20000101,
  version: 1,
  procedures: {
    nullProc: { procedure: 0, name: "NULL", args: [], result: xdr.void },
    pingEcho: { procedure: 1, name: "PING_ECHO", args: [xdr.int], result: xdr.int },
    add: { procedure: 2, name: "ADD", args: [xdr.int, xdr.hyper], result: xdr.string(10) },
  },
});

type Client = ClientOf<typeof PingV1>;
type Handlers = HandlersOf<typeof PingV1>;

test("descriptor types derive typed methods", () => {
  const handlers: Handlers = {
    pingEcho: (n, _ctx) => n,
    add: async (a, b) => `${a + Number(b)}`,
  };
  // Type-level checks: these lines would not compile if the derived types were wrong.
  const call = async (c: Client) => {
    const n: number = await c.pingEcho(1);
    const s: string = await c.add(1, 2n, { timeoutMs: 5 });
    await c.nullProc();
    // @ts-expect-error wrong argument type
    await c.pingEcho("x");
    return [n, s];
  };
  assert.equal(typeof call, "function");
  assert.equal(handlers.pingEcho(3, undefined as never), 3);
});
