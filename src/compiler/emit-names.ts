/**
 * The names one generated module exports, chosen before anything is written: constants, types
 * and codecs first, then program, version and procedure numbers (RFC 5531 §12; rpcgen
 * `#define`s them too), then descriptors, then enum members as top-level constants where the
 * name is free. Two names that collide after escaping for TypeScript are an error; a program
 * number repeating a constant's name with another value is a warning.
 */
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { descriptorName } from "./emit-program.js";
import type { Module, Program } from "./model.js";
import { codecName, tsName } from "./names.js";

/** A name a generated module exports, and what it stands for. */
interface Claim {
  readonly what: string;
  readonly pos: Pos;
}

/** What {@link planNames} decided for one module. */
export interface NamePlan {
  /** Constants emitted with their value, by `.x` name (constants and program numbers). */
  readonly numbers: ReadonlyMap<string, bigint>;
  /** Whether the constant item at `pos` named `name` is the one emitted under that name. */
  constOwns(name: string, pos: Pos): boolean;
  /** Program, version and procedure numbers to emit with their program, by name. */
  readonly programNumbers: ReadonlyMap<string, bigint>;
  /** Descriptor names by `program/version`. */
  readonly descriptors: ReadonlyMap<string, string>;
  /** Enum members exported as top-level constants, as `enum.member`. */
  readonly memberConsts: ReadonlySet<string>;
}

/** Chooses every exported name of `module`; collisions go to `diags`. */
export function planNames(module: Module, diags: DiagnosticBag): NamePlan {
  const claims = new Claims(diags);
  const numbers = new Map<string, bigint>();
  for (const it of module.items) {
    if (it.kind === "const") {
      if (claims.value(it.name, "constant", it.pos)) numbers.set(it.name, it.value);
    } else if (it.kind !== "program" && it.kind !== "passthrough") {
      claims.type(it.name, "type", it.pos);
      if (it.kind === "enum") claims.value(it.name, "enum", it.pos);
      claims.value(it.name, "codec", it.pos, codecName(it.name));
    }
  }
  const programs = module.items.filter((it): it is Program => it.kind === "program");
  const { programNumbers, descriptors } = planPrograms(programs, claims, numbers, diags);
  const memberConsts = new Set<string>();
  for (const it of module.items) {
    if (it.kind !== "enum") continue;
    for (const m of it.members) {
      if (!numbers.has(m.name) && claims.free(m.name)) {
        claims.value(m.name, "enum member", m.pos);
        memberConsts.add(`${it.name}.${m.name}`);
      }
    }
  }
  return {
    numbers,
    constOwns: (name, pos) => claims.owner(name) === pos,
    programNumbers,
    descriptors,
    memberConsts,
  };
}

/** Program, version and procedure numbers as constants, and descriptor names. */
function planPrograms(
  programs: readonly Program[],
  claims: Claims,
  numbers: Map<string, bigint>,
  diags: DiagnosticBag,
): { programNumbers: Map<string, bigint>; descriptors: Map<string, string> } {
  const programNumbers = new Map<string, bigint>();
  const descriptors = new Map<string, string>();
  const addNumber = (name: string, value: number, pos: Pos, what: string) => {
    const prev = numbers.get(name);
    if (prev === undefined) {
      if (claims.value(name, what, pos)) {
        numbers.set(name, BigInt(value));
        programNumbers.set(name, BigInt(value));
      }
    } else if (prev !== BigInt(value)) {
      diags.warning(
        pos,
        "number-conflict",
        `${what} ${name} = ${value}, but ${name} is already ${prev}; the constant keeps ${prev}`,
      );
    }
  };
  for (const it of programs) {
    addNumber(it.name, it.number, it.pos, "program");
    for (const v of it.versions) {
      addNumber(v.name, v.number, v.pos, "version");
      for (const p of v.procedures) addNumber(p.name, p.number, p.pos, "procedure");
      descriptors.set(`${it.name}/${v.number}`, claims.descriptor(it.name, v.number, v.pos));
    }
  }
  return { programNumbers, descriptors };
}

/** The value and type names taken so far in one module. */
class Claims {
  private readonly values = new Map<string, Claim>();
  private readonly types = new Map<string, Claim>();

  constructor(private readonly diags: DiagnosticBag) {}

  /** Takes the value name for `original` (escaped, or `name`); reports a collision. */
  value(original: string, what: string, pos: Pos, name = tsName(original)): boolean {
    return this.take(this.values, original, what, pos, name);
  }

  type(original: string, what: string, pos: Pos): boolean {
    return this.take(this.types, original, what, pos, tsName(original));
  }

  /** Whether the value name for `original` is still free. */
  free(original: string): boolean {
    return !this.values.has(tsName(original));
  }

  /** Where the value named for `original` was defined. */
  owner(original: string): Pos | undefined {
    return this.values.get(tsName(original))?.pos;
  }

  /** A descriptor name and its `Client`/`Handlers` types, made unique with `_`. */
  descriptor(program: string, version: number, pos: Pos): string {
    let desc = descriptorName(program, version);
    while (
      this.values.has(desc) ||
      this.types.has(`${desc}Client`) ||
      this.types.has(`${desc}Handlers`)
    )
      desc = `${desc}_`;
    this.values.set(desc, { what: "descriptor", pos });
    this.types.set(`${desc}Client`, { what: "client type", pos });
    this.types.set(`${desc}Handlers`, { what: "handlers type", pos });
    return desc;
  }

  private take(
    space: Map<string, Claim>,
    original: string,
    what: string,
    pos: Pos,
    name: string,
  ): boolean {
    const prev = space.get(name);
    if (prev === undefined) {
      space.set(name, { what, pos });
      return true;
    }
    const escaped = name !== original ? ` ('${original}' escaped for TypeScript)` : "";
    this.diags.error(
      pos,
      "name-collision",
      `${what} '${name}'${escaped} collides with ${prev.what} at ${prev.pos.file}:${prev.pos.line}`,
    );
    return false;
  }
}
