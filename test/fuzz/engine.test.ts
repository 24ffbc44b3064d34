/**
 * The fuzzing engine finds what it is meant to: an undocumented exception, an input that never
 * returns (the supervisor kills the thread and names the input), one over its time limit, one
 * that allocates beyond its budget; and a well-behaved target runs its inputs with coverage
 * growing from the seeds.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { superviseTarget } from "./engine/supervisor.js";

const fixture = (name: string) => `${new URL("./fixtures.js", import.meta.url).href}#${name}`;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function fuzz(name: string, inputs = 200, hangMs = 2000) {
  return superviseTarget({ target: fixture(name), inputs, seed: 1, coverage: true, hangMs });
}

describe("fuzzing engine", () => {
  test("an undocumented exception is a crash, with its input", async () => {
    const r = await fuzz("crashes");
    const crash = r.findings.find((f) => f.kind === "crash");
    assert.ok(crash, JSON.stringify(r.findings));
    assert.match(crash.message, /TypeError: undocumented/);
    assert.ok(text(crash.input).startsWith("crash"));
  });

  test("an input that never returns is a hang; the run goes on in a new thread", async () => {
    const r = await fuzz("hangs", 50, 1000);
    const hang = r.findings.find((f) => f.kind === "hang");
    assert.ok(hang, JSON.stringify(r.findings));
    assert.ok(text(hang.input).startsWith("hang"));
    assert.ok(r.starts >= 2);
  });

  test("an input over the time limit twice is slow", async () => {
    const r = await fuzz("slow", 20);
    assert.ok(r.findings.some((f) => f.kind === "slow" && text(f.input).startsWith("slow")));
  });

  test("an allocation beyond the budget is reported with its size", async () => {
    const r = await fuzz("allocates", 20);
    const a = r.findings.find((f) => f.kind === "allocation");
    assert.ok(a, JSON.stringify(r.findings));
    assert.match(a.message, /allocated 1048576 bytes \/ 1000000 array elements/);
  });

  test("a well-behaved target: no findings, every input run, coverage measured", async () => {
    const r = await fuzz("quiet", 5000);
    assert.deepEqual(r.findings, []);
    assert.equal(r.inputs, 5000);
    assert.equal(r.seeds, 1);
    assert.ok(r.features > 0);
  });
});
