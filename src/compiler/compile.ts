/**
 * The compiler's entry point: `.x` files in, TypeScript modules and diagnostics out. Runs the
 * phases scan → preprocess → parse → check → emit; never throws on bad input.
 *
 * Preprocessing passes: rpcgen runs cpp once per output file with one of `RPC_HDR`, `RPC_XDR`,
 * `RPC_SVC`, `RPC_CLNT`, `RPC_TBL` defined, so a file may show different definitions to each.
 * Lupine writes one TypeScript module, which plays all those roles, so it preprocesses once per
 * pass (only when some `#if` mentions a pass symbol; otherwise once) and takes the union: a
 * definition visible in any pass is emitted once, in source order. If passes disagree about a
 * name (two different definitions in exclusive branches), the `RPC_XDR` pass wins, then
 * `RPC_HDR`, `RPC_CLNT`, `RPC_SVC`, `RPC_TBL`: the XDR routines decide the wire format.
 */

import type { Facts } from "./analyze.js";
import type { Definition } from "./ast.js";
import { type CheckInput, check } from "./check.js";
import { type Diagnostic, DiagnosticBag, sortDiagnostics } from "./diagnostics.js";
import { type EmitOptions, emitModule } from "./emit-ts.js";
import { supplyExterns } from "./externs.js";
import { type CompilerHost, dirname, normalizePath, relativePath } from "./host.js";
import type { Module } from "./model.js";
import { parse } from "./parser.js";
import { preprocess } from "./preprocess.js";
import type { Token } from "./scanner.js";

/** The preprocessing passes, in priority order (see the module comment). */
export const PASSES = ["RPC_XDR", "RPC_HDR", "RPC_CLNT", "RPC_SVC", "RPC_TBL"] as const;

/** What to compile. */
export interface CompileOptions {
  readonly host: CompilerHost;
  /** The root `.x` files; each becomes one module. They may use each other's types. */
  readonly files: readonly string[];
  /** `-I` folders for `#include`. */
  readonly includeDirs?: readonly string[];
  /** `-D NAME[=VALUE]` macros: name → body. */
  readonly defines?: ReadonlyMap<string, string>;
  /**
   * `--extern` files: declarations of types and constants the inputs use but do not define;
   * each input's module gets the ones it needs (see `externs.ts`). Not written themselves.
   */
  readonly externs?: readonly string[];
  /**
   * `--strict`: names defined outside the compiled files and types with no finite value are
   * errors (rpcgen accepts them; by default they are warnings and the output compiles).
   */
  readonly strict?: boolean;
  /** Module specifier the output imports the runtime from (default `lupine`). */
  readonly runtime?: string;
  /** Where the module for an input goes (default: beside it, `.x` → `.ts`). */
  readonly outputPath?: (file: string) => string;
}

/** One generated module. */
export interface Output {
  readonly input: string;
  readonly path: string;
  readonly text: string;
}

/** What {@link compile} produced. `outputs` is empty when there is any error. */
export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly outputs: readonly Output[];
  readonly modules: readonly Module[];
  readonly facts: Facts;
  /** Every file read per input (the input first, then its includes), for dependency tracking. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
}

/** The default output path: `dir/name.x` → `dir/name.ts`. */
export function defaultOutputPath(file: string): string {
  return `${file.replace(/\.x$/, "")}.ts`;
}

/**
 * Compiles `.x` files (RFC 4506 §6 and RFC 5531 §12, as rpcgen accepts them) to TypeScript.
 * Synchronous and pure (files come through `options.host`); never throws on bad input.
 */
export function compile(options: CompileOptions): CompileResult {
  const diags = new DiagnosticBag(options.strict ?? false);
  const cache = new Map<string, readonly Token[] | null>();
  const outputPath = options.outputPath ?? defaultOutputPath;
  const files = options.files.map(normalizePath);
  const parsed = files.map((file) => parsePasses(file, options, cache, diags));
  const externs = (options.externs ?? []).map((f) =>
    parsePasses(normalizePath(f), options, cache, diags),
  );
  const externDeps = externs.flatMap((e) => e.deps);
  const supplied = supplyExterns(
    parsed.map((p) => p.definitions),
    externs.flatMap((e) => e.definitions),
  );
  const inputs: CheckInput[] = files.map((file, i) => ({ file, definitions: supplied[i]! }));
  const dependencies = new Map<string, readonly string[]>(
    files.map((file, i) => [file, [...parsed[i]!.deps, ...externDeps]]),
  );
  reportOutputClashes(files, outputPath, diags);
  const { modules, facts } = check(inputs, diags);
  const emitOptions: EmitOptions = {
    runtime: options.runtime ?? "lupine",
    specifierFor: (from, to) =>
      relativePath(dirname(outputPath(from)), outputPath(to)).replace(/\.ts$/, ".js"),
  };
  const outputs =
    diags.errorCount > 0
      ? []
      : modules.map((m) => ({
          input: m.file,
          path: outputPath(m.file),
          text: emitModule(modules, m, facts, emitOptions, diags),
        }));
  return {
    diagnostics: sortDiagnostics(diags.list),
    outputs: diags.errorCount === 0 ? outputs : [],
    modules,
    facts,
    dependencies,
  };
}

/** Two inputs whose modules would be written to the same path are an error. */
function reportOutputClashes(
  files: readonly string[],
  outputPath: (file: string) => string,
  diags: DiagnosticBag,
): void {
  const seen = new Map<string, string>();
  for (const f of files) {
    const out = outputPath(f);
    const other = seen.get(out);
    if (other !== undefined) {
      diags.error(
        { file: f, line: 1, col: 1 },
        "output-clash",
        `${f} and ${other} would both be written to ${out}`,
      );
    }
    seen.set(out, f);
  }
}

/** Preprocesses and parses one file once per pass that matters, merging the definitions. */
function parsePasses(
  file: string,
  options: CompileOptions,
  cache: Map<string, readonly Token[] | null>,
  diags: DiagnosticBag,
): { definitions: Definition[]; deps: string[] } {
  let merged: Definition[] = [];
  let deps: string[] = [];
  for (const pass of PASSES) {
    const defines = new Map(options.defines ?? []);
    defines.set(pass, "1");
    const pp = preprocess(
      file,
      { host: options.host, includeDirs: options.includeDirs ?? [], defines, cache },
      diags,
    );
    const spec = parse(file, pp.tokens, diags);
    if (pass === PASSES[0]) {
      merged = [...spec.definitions];
      deps = pp.files;
      if (!pp.passDependent) break;
    } else merged = mergeDefinitions(merged, spec.definitions);
  }
  return { definitions: merged, deps };
}

function keyOf(d: Definition): string {
  const name = "name" in d ? d.name : d.kind === "typedef" ? d.decl.name : "";
  return `${d.kind}:${name ?? ""}:${d.pos.file}:${d.pos.line}:${d.pos.col}`;
}

function nameOf(d: Definition): string | null {
  if (d.kind === "passthrough") return null;
  if (d.kind === "typedef") return d.decl.name;
  return d.name;
}

/** Adds the definitions of a later pass that the earlier ones did not see, in source order. */
function mergeDefinitions(base: readonly Definition[], more: readonly Definition[]): Definition[] {
  const out = [...base];
  const keys = out.map(keyOf);
  const names = new Set(out.map(nameOf).filter((n) => n !== null && n !== ""));
  // Where each key first occurs in `keys`; rebuilt after an insertion moves what follows. A plain
  // indexOf per definition made merging a file of n definitions (each included many times) n².
  let firstAt: Map<string, number> | null = null;
  let at = -1;
  for (const d of more) {
    const k = keyOf(d);
    if (firstAt === null) {
      firstAt = new Map();
      for (let i = keys.length - 1; i >= 0; i--) firstAt.set(keys[i]!, i);
    }
    const seen = firstAt.get(k) ?? -1;
    if (seen >= 0) {
      at = seen;
      continue;
    }
    const n = nameOf(d);
    if (n !== null && n !== "" && names.has(n)) continue;
    // Place it by source position among definitions of the same file, else after the last anchor.
    const before = (a: Definition) =>
      a.pos.file === d.pos.file &&
      (a.pos.line > d.pos.line || (a.pos.line === d.pos.line && a.pos.col > d.pos.col));
    let idx = out.findIndex(before);
    if (idx < 0) {
      let last = -1;
      out.forEach((a, j) => {
        if (a.pos.file === d.pos.file) last = j;
      });
      idx = last >= 0 ? last + 1 : at + 1;
    }
    at = idx;
    out.splice(at, 0, d);
    keys.splice(at, 0, k);
    firstAt = null;
    if (n !== null) names.add(n);
  }
  return out;
}
