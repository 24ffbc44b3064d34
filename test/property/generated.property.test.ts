/**
 * Property tests over generated codecs (fast-check): for every type of a few real files,
 * `decode(encode(v))` equals `v`, encodings are multiples of 4 bytes, and truncated or random
 * input fails only with `XdrError` (never another exception, never a hang). Values are drawn from
 * arbitraries built by walking the compiler's checked model of the same `.x` file, so the test
 * covers whatever the files contain.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { compile } from "../../src/compiler/index.js";
import { decode, encode, isXdrError, type XdrCodec } from "../../src/xdr/index.js";
import { arbitraries } from "../helpers/model-arbitraries.js";
import { fsHost, repoRoot, sharedDir } from "../support.js";

interface Subject {
  readonly name: string;
  readonly x: string;
  readonly generated: string;
}

const shared = sharedDir();
const SUBJECTS: Subject[] = [
  {
    name: "types.x (golden: every XDR type, lists, trees)",
    x: join(repoRoot, "test/golden/types.x"),
    generated: "../golden/types.js",
  },
  {
    name: "nfs3.x (NFSv3 READDIRPLUS types)",
    x: join(repoRoot, "bench/nfs3.x"),
    generated: "../../bench/gen/nfs3.js",
  },
];
if (shared !== null) {
  SUBJECTS.push({
    name: "conformance.x",
    x: join(shared, "oncrpc-peer/conformance.x"),
    generated: "../conformance/gen/conformance.js",
  });
}

for (const subject of SUBJECTS) {
  describe(`generated codecs of ${subject.name}`, {
    skip: existsSync(subject.x) ? false : `${subject.x} is absent`,
  }, async () => {
    const r = compile({ host: fsHost, files: [subject.x] });
    assert.equal(r.outputs.length, 1, readFileSync(subject.x, "utf8").slice(0, 0));
    const gen = (await import(subject.generated)) as Record<string, XdrCodec<unknown>>;
    const module = r.modules[0]!;
    const declArb = arbitraries(r.modules, module);
    for (const decl of module.types.values()) {
      const codec = gen[`xdr_${decl.name}`];
      test(decl.name, () => {
        assert.ok(codec !== undefined, `xdr_${decl.name} is exported`);
        fc.assert(
          fc.property(declArb(decl, 0), (v) => {
            const bytes = encode(codec, v);
            assert.equal(bytes.length % 4, 0, "encodings are multiples of 4 bytes");
            assert.ok(bytes.length >= codec.minSize, "minSize is a lower bound");
            assert.deepStrictEqual(decode(codec, bytes), v);
            const cut = bytes.length === 0 ? 0 : (bytes[0]! * 7 + bytes.length) % bytes.length;
            if (cut < bytes.length) {
              assert.throws(
                () => decode(codec, bytes.subarray(0, cut)),
                (e) => isXdrError(e),
              );
            }
          }),
          { numRuns: 60 },
        );
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 96 }), (junk) => {
            try {
              decode(codec, junk);
            } catch (e) {
              assert.ok(isXdrError(e), `not an XdrError: ${String(e)}`);
            }
          }),
          { numRuns: 60 },
        );
      });
    }
  });
}
