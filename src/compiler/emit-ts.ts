/**
 * Phase 5, emitting: one checked {@link Module} → one TypeScript module. Chooses the TypeScript
 * names (reporting collisions the escaping creates), then writes, in source order, the
 * constants (the names rpcgen's header defines), `%` lines as comments, the types with their
 * codecs, and last the program descriptors (after every codec they refer to exists).
 */
import type { Facts } from "./analyze.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { EmitContext } from "./emit-context.js";
import { descriptorName, emitProgram } from "./emit-program.js";
import { docLine, emitEnum, emitStruct, emitTypedef } from "./emit-types.js";
import { emitUnion } from "./emit-union.js";
import type { ConstDecl, Module, Program } from "./model.js";
import { codecName, tsName } from "./names.js";
import { Printer } from "./printer.js";

/** How generated modules refer to the runtime and to each other. */
export interface EmitOptions {
  /** Module specifier of the runtime: `lupine`, or a relative path inside this package. */
  readonly runtime: string;
  /** Module specifier by which the output of `fromFile` imports the output of `toFile`. */
  readonly specifierFor: (fromFile: string, toFile: string) => string;
}

/** A name a generated module exports, and what it stands for. */
interface Claim {
  readonly what: string;
  readonly pos: Pos;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A constant's value as a TypeScript literal: numbers where exact, bigint beyond 2^53. */
export function constLiteral(value: bigint, literal: string | null): string {
  const safe = value >= -SAFE && value <= SAFE;
  let text = literal?.replace(/[uUlL]+$/, "") ?? null;
  if (text !== null && /^-?0[0-7]+$/.test(text)) text = text.replace(/0([0-7]+)$/, "0o$1");
  if (text !== null && !/^-?(0[xX][0-9a-fA-F]+|0o[0-7]+|0|[1-9][0-9]*)$/.test(text)) text = null;
  if (safe) return text ?? String(value);
  if (text !== null && !text.startsWith("-")) return `${text}n`;
  return `${value}n`;
}

/** Writes the TypeScript module for `module`. Problems (name collisions) go to `diags`. */
export function emitModule(
  modules: readonly Module[],
  module: Module,
  facts: Facts,
  options: EmitOptions,
  diags: DiagnosticBag,
): string {
  const printer = new Printer();
  const ctx = new EmitContext(modules, module, facts, printer, options.runtime, (to) =>
    options.specifierFor(module.file, to),
  );
  const values = new Map<string, Claim>();
  const types = new Map<string, Claim>();
  const claim = (
    space: Map<string, Claim>,
    name: string,
    original: string,
    what: string,
    pos: Pos,
  ): boolean => {
    const prev = space.get(name);
    if (prev === undefined) {
      space.set(name, { what, pos });
      return true;
    }
    const escaped = name !== original ? ` ('${original}' escaped for TypeScript)` : "";
    diags.error(
      pos,
      "name-collision",
      `${what} '${name}'${escaped} collides with ${prev.what} at ${prev.pos.file}:${prev.pos.line}`,
    );
    return false;
  };

  // Names: constants, types and codecs first, then program numbers, then enum members.
  const numbers = new Map<string, bigint>();
  for (const it of module.items) {
    if (it.kind === "const") {
      if (claim(values, tsName(it.name), it.name, "constant", it.pos))
        numbers.set(it.name, it.value);
    } else if (
      it.kind === "struct" ||
      it.kind === "union" ||
      it.kind === "enum" ||
      it.kind === "typedef"
    ) {
      claim(types, tsName(it.name), it.name, `type`, it.pos);
      if (it.kind === "enum") claim(values, tsName(it.name), it.name, "enum", it.pos);
      claim(values, codecName(it.name), it.name, "codec", it.pos);
    }
  }
  const programConsts: [string, bigint, Pos][] = [];
  const descriptorNames = new Map<string, string>();
  for (const it of module.items) {
    if (it.kind !== "program") continue;
    const add = (name: string, value: number, pos: Pos, what: string) => {
      const prev = numbers.get(name);
      if (prev !== undefined) {
        if (prev !== BigInt(value)) {
          diags.warning(
            pos,
            "number-conflict",
            `${what} ${name} = ${value}, but ${name} is already ${prev}; the constant keeps ${prev}`,
          );
        }
        return;
      }
      if (claim(values, tsName(name), name, what, pos)) {
        numbers.set(name, BigInt(value));
        programConsts.push([name, BigInt(value), pos]);
      }
    };
    add(it.name, it.number, it.pos, "program");
    for (const v of it.versions) {
      add(v.name, v.number, v.pos, "version");
      for (const p of v.procedures) add(p.name, p.number, p.pos, "procedure");
      let desc = descriptorName(it.name, v.number);
      while (values.has(desc) || types.has(`${desc}Client`) || types.has(`${desc}Handlers`))
        desc = `${desc}_`;
      values.set(desc, { what: "descriptor", pos: v.pos });
      types.set(`${desc}Client`, { what: "client type", pos: v.pos });
      types.set(`${desc}Handlers`, { what: "handlers type", pos: v.pos });
      descriptorNames.set(`${it.name}/${v.number}`, desc);
    }
  }
  const memberConsts = new Set<string>();
  for (const it of module.items) {
    if (it.kind !== "enum") continue;
    for (const m of it.members) {
      const n = tsName(m.name);
      if (!values.has(n) && !numbers.has(m.name)) {
        values.set(n, { what: "enum member", pos: m.pos });
        memberConsts.add(`${it.name}.${m.name}`);
      }
    }
  }

  const programs: Program[] = [];
  const consts = new Map(programConsts.map(([n, v, pos]) => [n, { v, pos }]));
  for (const it of module.items) {
    switch (it.kind) {
      case "passthrough":
        for (const l of it.text.split(/\r?\n/)) printer.line(`// %${l}`.trimEnd());
        break;
      case "const":
        if (numbers.get(it.name) === it.value && values.get(tsName(it.name))?.pos === it.pos)
          emitConst(ctx, it);
        break;
      case "enum":
        emitEnum(ctx, it, memberConsts);
        break;
      case "struct":
        emitStruct(ctx, it);
        break;
      case "union":
        emitUnion(ctx, it);
        break;
      case "typedef":
        emitTypedef(ctx, it);
        break;
      case "program": {
        programs.push(it);
        docLine(
          ctx,
          `${it.shorthand ? "interface" : "program"} ${it.name}: program, version and procedure numbers`,
          it.pos,
        );
        const names = [
          it.name,
          ...it.versions.flatMap((v) => [v.name, ...v.procedures.map((p) => p.name)]),
        ];
        for (const n of names) {
          const c = consts.get(n);
          if (c === undefined) continue;
          consts.delete(n);
          printer.line(
            `export const ${tsName(n)} = ${constLiteral(c.v, c.v >= 0x10000n ? `0x${c.v.toString(16)}` : null)};`,
          );
        }
        break;
      }
    }
  }
  for (const prog of programs) emitProgram(ctx, prog, descriptorNames, numbers);
  const file = module.file.slice(module.file.lastIndexOf("/") + 1);
  return printer.render([`// Code generated by lupine gen from ${file}. DO NOT EDIT.`]);
}

function emitConst(ctx: EmitContext, c: ConstDecl): void {
  const value = c.string ?? constLiteral(c.value, c.literal);
  docLine(ctx, `const ${c.name} = ${c.literal ?? c.alias ?? value}`, c.pos);
  ctx.printer.line(`export const ${tsName(c.name)} = ${value};`);
}
