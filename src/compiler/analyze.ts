/**
 * Checker, last step: facts about types that need every file of the compilation — whether a
 * value can be finite at all (a struct that contains itself other than through an optional, a
 * variable-length array or a union arm has no value that could be encoded: rpcgen accepts it, so
 * Lupine warns and emits a codec that always fails with an `XdrError`), the fewest bytes an
 * encoding takes (`minSize`, used by array decoders to reject impossible counts before
 * allocating), which structs are linked lists (encoded and decoded in a loop, no recursion), and
 * which types are otherwise recursive (their decoders count depth: hostile nesting ends in an
 * `XdrError`, not a stack overflow).
 */
import { describe } from "./describe.js";
import type { DiagnosticBag } from "./diagnostics.js";
import type { Module, TypeDecl, XType } from "./model.js";

/** What {@link analyze} found for one type. */
export interface TypeFacts {
  readonly minSize: number;
  /** For a linked list (`struct node { ...; node *next; }`): the link field (the last one). */
  readonly listField: string | null;
  /** Part of a cycle other than its own list link: its decoder counts depth. */
  readonly recursive: boolean;
  /** Why no value of the type exists (its codec throws this), or `null`. */
  readonly infinite: string | null;
}

/** Facts for every type of a compilation. */
export type Facts = ReadonlyMap<TypeDecl, TypeFacts>;

/** Finds `name` as seen from `module`: its own types, then the file it imports the name from. */
export function lookupType(
  modules: readonly Module[],
  module: Module,
  name: string,
): TypeDecl | undefined {
  const own = module.types.get(name);
  if (own !== undefined) return own;
  const from = module.imports.get(name);
  return from === undefined ? undefined : modules.find((m) => m.file === from)?.types.get(name);
}

/** Where each type lives, for lookups from inside other types. */
function owners(modules: readonly Module[]): Map<TypeDecl, Module> {
  const m = new Map<TypeDecl, Module>();
  for (const mod of modules) for (const t of mod.types.values()) m.set(t, mod);
  return m;
}

/** How the analysis finds types: by name as seen from a type, and through typedefs. */
interface Graph {
  readonly all: readonly TypeDecl[];
  /** The type `name` means inside `from` (its module's own, or imported). */
  readonly resolve: Resolve;
  /** Follows typedef names (across files) from `from` to the type `t` stands for. */
  readonly unalias: (from: TypeDecl, t: XType) => XType;
}

/** Computes {@link TypeFacts} for every type and reports types that can never be finite. */
export function analyze(modules: readonly Module[], diags: DiagnosticBag): Facts {
  const owner = owners(modules);
  const resolve: Resolve = (from, name) => lookupType(modules, owner.get(from)!, name);
  const graph: Graph = {
    all: [...owner.keys()],
    resolve,
    unalias: (from, t) => resolveFrom(modules, owner, from, t),
  };
  const infinite = infiniteTypes(graph.all, resolve, diags);
  const minSize = minSizes(graph);
  const lists = linkedLists(graph);
  const recursive = cycles(graph.all, (d) => references(graph, d, lists.get(d)));
  const facts = new Map<TypeDecl, TypeFacts>();
  for (const d of graph.all) {
    facts.set(d, {
      minSize: minSize(d),
      listField: lists.get(d) ?? null,
      recursive: recursive.has(d),
      infinite: infinite.get(d) ?? null,
    });
  }
  return facts;
}

/**
 * The fewest bytes an encoding of a type takes (RFC 4506 §4 sizes; a union its discriminant and
 * smallest arm). A cycle counts as 0 and a type defined outside as 0: safe lower bounds.
 */
function minSizes(graph: Graph): (d: TypeDecl) => number {
  const sizes = new Map<TypeDecl, number | "busy">();
  const sizeOfDecl = (d: TypeDecl): number => {
    const known = sizes.get(d);
    if (known === "busy") return 0;
    if (known !== undefined) return known;
    sizes.set(d, "busy");
    const of = (t: XType) =>
      encodedMinSize(t, (name) => {
        const r = graph.resolve(d, name);
        return r === undefined ? 0 : sizeOfDecl(r);
      });
    let n: number;
    if (d.kind === "enum") n = 4;
    else if (d.kind === "external") n = 0;
    else if (d.kind === "typedef") n = of(d.type);
    else if (d.kind === "struct") n = d.fields.reduce((s, f) => s + of(f.type), 0);
    else {
      const arms = d.arms.map((a) => (a.field === null ? 0 : of(a.field.type)));
      if (d.defaultArm !== null)
        arms.push(d.defaultArm.field === null ? 0 : of(d.defaultArm.field.type));
      n = 4 + Math.min(...arms);
    }
    sizes.set(d, n);
    return n;
  };
  return sizeOfDecl;
}

/** The fewest bytes an encoding of `t` takes, given the size of a named type. */
export function encodedMinSize(t: XType, named: (name: string) => number): number {
  switch (t.kind) {
    case "ref":
      return named(t.name);
    case "void":
      return 0;
    case "hyper":
    case "uhyper":
    case "double":
      return 8;
    case "quadruple":
      return 16;
    case "opaque":
      return t.fixed ? pad4(t.size ?? 0) : 4;
    case "array":
      return t.fixed ? (t.size ?? 0) * encodedMinSize(t.element, named) : 4;
    default:
      return 4;
  }
}

/** Structs whose last field is an optional pointer to the struct itself, with that field. */
function linkedLists(graph: Graph): Map<TypeDecl, string> {
  const lists = new Map<TypeDecl, string>();
  for (const d of graph.all) {
    if (d.kind !== "struct" || d.fields.length === 0) continue;
    const last = d.fields[d.fields.length - 1]!;
    const t = graph.unalias(d, last.type);
    if (t.kind !== "optional") continue;
    const target = graph.unalias(d, t.element);
    if (target.kind === "ref" && graph.resolve(d, target.name) === d) lists.set(d, last.name);
  }
  return lists;
}

/** The types `d` contains, except itself through its list link (`list`), which is a loop. */
function references(graph: Graph, d: TypeDecl, list: string | undefined): TypeDecl[] {
  const out: TypeDecl[] = [];
  const visit = (t: XType, skipSelf: boolean) => {
    if (t.kind === "ref") {
      const r = graph.resolve(d, t.name);
      if (r !== undefined && !(skipSelf && r === d)) out.push(r);
    } else if (t.kind === "array" || t.kind === "optional") visit(t.element, false);
  };
  if (d.kind === "typedef") visit(d.type, false);
  else if (d.kind === "struct") {
    for (const f of d.fields) {
      const inner = f.name === list ? graph.unalias(d, f.type) : null;
      if (inner?.kind === "optional") visit(inner.element, true);
      else visit(f.type, false);
    }
  } else if (d.kind === "union") {
    for (const a of d.arms) if (a.field !== null) visit(a.field.type, false);
    if (d.defaultArm?.field) visit(d.defaultArm.field.type, false);
  }
  return out;
}

type Resolve = (from: TypeDecl, name: string) => TypeDecl | undefined;

/**
 * The types with no finite value (the least fixpoint of "can end": a struct whose fields all
 * can, a union with an arm that can, a typedef of a type that can; optionals, variable-length
 * arrays and void arms always can), each reported and mapped to the message its codec throws.
 */
function infiniteTypes(
  all: readonly TypeDecl[],
  resolve: Resolve,
  diags: DiagnosticBag,
): Map<TypeDecl, string> {
  const finite = new Set<TypeDecl>();
  const canEnd = (from: TypeDecl, t: XType): boolean => {
    switch (t.kind) {
      case "ref": {
        const d = resolve(from, t.name);
        return d === undefined || finite.has(d);
      }
      case "array":
        return !t.fixed || canEnd(from, t.element);
      default:
        return true;
    }
  };
  const armsEnd = (d: TypeDecl & { kind: "union" }) =>
    d.arms.some((a) => a.field === null || canEnd(d, a.field.type)) ||
    (d.defaultArm !== null && (d.defaultArm.field === null || canEnd(d, d.defaultArm.field.type)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of all) {
      if (finite.has(d)) continue;
      let ok: boolean;
      if (d.kind === "enum" || d.kind === "external") ok = true;
      else if (d.kind === "typedef") ok = canEnd(d, d.type);
      else if (d.kind === "struct") ok = d.fields.every((f) => canEnd(d, f.type));
      else ok = armsEnd(d);
      if (ok) {
        finite.add(d);
        changed = true;
      }
    }
  }
  const out = new Map<TypeDecl, string>();
  for (const d of all) {
    if (finite.has(d)) continue;
    let why: string;
    const field = d.kind === "struct" ? d.fields.find((f) => !canEnd(d, f.type)) : undefined;
    if (field === undefined)
      why = `every ${d.kind === "union" ? "arm" : "part"} of it contains a type with none`;
    else if (field.type.kind === "ref" && resolve(d, field.type.name) === d)
      why = `its field ${field.name} is a ${d.name}, not a ${d.name} *`;
    else why = `its field ${field.name} (${describe(field.type)}) has none`;
    diags.relaxed(
      d.pos,
      "infinite-type",
      `no finite value of ${d.name} exists: ${why} (only an optional, a variable-length array or a union arm can end a recursion); its codec always fails`,
    );
    out.set(d, `no finite value of ${d.name} exists: ${why}; nothing can be encoded or decoded`);
  }
  return out;
}

/** Follows typedef names (across files) to the type they stand for. */
function resolveFrom(
  modules: readonly Module[],
  owner: Map<TypeDecl, Module>,
  from: TypeDecl,
  t: XType,
): XType {
  let cur = t;
  let mod = owner.get(from)!;
  for (let guard = 0; cur.kind === "ref" && guard < 100; guard++) {
    const d = lookupType(modules, mod, cur.name);
    if (d === undefined || d.kind !== "typedef") return cur;
    mod = owner.get(d)!;
    cur = d.type;
  }
  return cur;
}

function pad4(n: number): number {
  return n + ((4 - (n & 3)) & 3);
}

/** Nodes on a cycle of `edges` (Tarjan's strongly connected components). */
function cycles<T>(nodes: readonly T[], edges: (n: T) => T[]): Set<T> {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const out = new Set<T>();
  let next = 0;
  const succ = new Map<T, T[]>();
  for (const n of nodes) succ.set(n, edges(n));
  // Iterative Tarjan: real files have long chains of types.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: [T, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const ss = succ.get(v) ?? [];
      if (i < ss.length) {
        top[1]++;
        const w = ss[i]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: T[] = [];
        let w: T;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (succ.get(v) ?? []).includes(v)) for (const c of comp) out.add(c);
      }
    }
  }
  return out;
}
