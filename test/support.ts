/**
 * Paths and helpers shared by the compiler's tests: the repository root, `../shared` (the
 * corpus and the C peers; absent outside the project's machines), a compile host over the
 * file system, and a strict `tsc --noEmit` run over generated modules.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompilerHost } from "../src/compiler/index.js";

/** The repository root (tests run from `dist/test/...`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `../shared` beside the repository, or `LUPINE_SHARED`; `null` when absent. */
export function sharedDir(): string | null {
  const dir = process.env.LUPINE_SHARED ?? join(repoRoot, "..", "shared");
  return existsSync(join(dir, "corpus")) ? dir : null;
}

/** Reads files from disk for the compiler. */
export const fsHost: CompilerHost = {
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** The strictest compiler options generated code must satisfy. */
export const STRICT_OPTIONS = {
  target: "es2022",
  lib: ["es2022"],
  module: "nodenext",
  moduleResolution: "nodenext",
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noPropertyAccessFromIndexSignature: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
  types: [],
};

/**
 * Type-checks every `.ts` under `dir` in one `tsc --noEmit` run with {@link STRICT_OPTIONS},
 * resolving `lupine` to this repository's build. Returns tsc's output ("" when clean).
 */
export function typecheck(dir: string): { ok: boolean; output: string } {
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        ...STRICT_OPTIONS,
        paths: { lupine: [join(repoRoot, "dist/src/index.d.ts")] },
      },
      include: ["**/*.ts"],
    }),
  );
  const tsc = join(repoRoot, "node_modules", ".bin", "tsc");
  const r = spawnSync(tsc, ["-p", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  return { ok: r.status === 0, output };
}
