/**
 * Structs (RFC 4506 §4.14) as interfaces with straight-line codecs; a struct whose last field is
 * an optional pointer to itself (a linked list, RFC 4506 §4.19's example) is coded in a loop, so
 * a million-node list needs no recursion and error paths name the node (`node.next[3].value`).
 */
import { BodyWriter, member } from "./emit-body.js";
import type { EmitContext } from "./emit-context.js";
import { catchClause, codecHead, docLine, emitFailingCodec } from "./emit-types.js";
import type { Field, StructType } from "./model.js";
import { propertyKey, quote, tsName } from "./names.js";

/** Emits a struct: an interface and a codec (iterative for linked lists). */
export function emitStruct(ctx: EmitContext, s: StructType): void {
  const p = ctx.printer;
  const name = tsName(s.name);
  docLine(ctx, `struct ${s.name}`, s.pos);
  p.block(`export interface ${name} {`, () => {
    for (const f of s.fields) p.line(`${propertyKey(f.name)}: ${ctx.tsType(f.type)};`);
  });
  const failure = ctx.failure(s);
  if (failure !== null) {
    emitFailingCodec(ctx, s.name, name, failure);
    return;
  }
  const facts = ctx.factsOf(s);
  const close = codecHead(ctx, s.name, name, facts.minSize);
  const names = s.fields.map((f) => f.name);
  p.indent(() => {
    if (facts.listField !== null) emitListBodies(ctx, s, name, facts.recursive);
    else {
      const enc = new BodyWriter(ctx, p);
      p.block(
        "encode($w, $v) {",
        () => {
          if (names.length > 1) p.line("let $f = 0;");
          const at = p.mark();
          p.block("try {", () => fieldsEncode(ctx, enc, s.fields, "$v"), null);
          if (enc.usesIndex) p.insert(at, "let $i = -1;");
          catchClause(ctx, s.name, names, enc.usesIndex);
        },
        "},",
      );
      const dec = new BodyWriter(ctx, p);
      p.block(
        "decode($r) {",
        () => {
          if (names.length > 1) p.line("let $f = 0;");
          const at = p.mark();
          if (facts.recursive) p.line("$r.enter();");
          p.block(
            "try {",
            () => {
              const locals = fieldsDecode(ctx, dec, s.fields);
              if (facts.recursive) p.line("$r.leave();");
              p.line(
                `return { ${s.fields.map((f, i) => `${propertyKey(f.name)}: ${locals[i]}`).join(", ")} };`,
              );
            },
            null,
          );
          if (dec.usesIndex) p.insert(at, "let $i = -1;");
          catchClause(ctx, s.name, names, dec.usesIndex);
        },
        "},",
      );
    }
  });
  p.line(close);
}

function fieldsEncode(
  ctx: EmitContext,
  enc: BodyWriter,
  fields: readonly Field[],
  obj: string,
): void {
  fields.forEach((f, i) => {
    if (i > 0 || obj === "$node") ctx.printer.line(`$f = ${i};`);
    enc.encode(f.type, member(obj, f.name));
  });
}

function fieldsDecode(
  ctx: EmitContext,
  dec: BodyWriter,
  fields: readonly Field[],
  list = false,
): string[] {
  return fields.map((f, i) => {
    if (i > 0 || list) ctx.printer.line(`$f = ${i};`);
    const local = `f_${f.name}`;
    ctx.printer.line(`const ${local} = ${dec.decode(f.type)};`);
    return local;
  });
}

/**
 * A linked list (`struct node { ...; node *next; }`): a loop over the nodes both ways, so a
 * million-node list needs no recursion. Error paths name the node: `node.next[3].value`.
 */
function emitListBodies(ctx: EmitContext, s: StructType, name: string, recursive: boolean): void {
  const list: ListShape = {
    s,
    name,
    body: s.fields.slice(0, -1),
    link: s.fields[s.fields.length - 1]!,
    recursive,
  };
  ctx.printer.block("encode($w, $v) {", () => listEncode(ctx, list), "},");
  ctx.printer.block("decode($r) {", () => listDecode(ctx, list), "},");
}

/** A linked-list struct: its fields before the link, and the link (the last field). */
interface ListShape {
  readonly s: StructType;
  readonly name: string;
  readonly body: readonly Field[];
  readonly link: Field;
  readonly recursive: boolean;
}

/** The catch of a list codec: the node's field path, then `link[k]` for the k-th node. */
function listCatch(ctx: EmitContext, list: ListShape, index: boolean): void {
  const { s, link } = list;
  const seg = `[${s.fields.map((f) => quote(f.name)).join(", ")}][$f]`;
  ctx.printer.block("} catch ($e) {", () => {
    ctx.printer.line(
      `const $x = ${ctx.xdr}.XdrError.at($e, ${quote(s.name)}, ${seg}${index ? ", $i" : ""});`,
      `throw $k > 0 ? ${ctx.xdr}.XdrError.at($x, ${quote(s.name)}, ${quote(link.name)}, $k) : $x;`,
    );
  });
}

function listEncode(ctx: EmitContext, list: ListShape): void {
  const p = ctx.printer;
  const { body, link } = list;
  const enc = new BodyWriter(ctx, p);
  p.line("let $f = 0;", "let $k = 0;");
  const at = p.mark();
  p.line(`let $node: ${list.name} = $v;`);
  p.block(
    "try {",
    () => {
      p.block("for (;;) {", () => {
        fieldsEncode(ctx, enc, body, "$node");
        p.line(`$f = ${body.length};`);
        p.line(`const $next = ${member("$node", link.name)};`);
        p.block("if ($next === null || $next === undefined) {", () =>
          p.line("$w.writeUint(0);", "return;"),
        );
        p.line("$w.writeUint(1);", "$node = $next;", "$k++;");
      });
    },
    null,
  );
  if (enc.usesIndex) p.insert(at, "let $i = -1;");
  listCatch(ctx, list, enc.usesIndex);
}

function listDecode(ctx: EmitContext, list: ListShape): void {
  const p = ctx.printer;
  const { body, link, name } = list;
  const dec = new BodyWriter(ctx, p);
  p.line("let $f = 0;", "let $k = 0;");
  const at = p.mark();
  p.line(`let $head: ${name} | null = null;`, `let $prev: ${name} | null = null;`);
  if (list.recursive) p.line("$r.enter();");
  p.block(
    "try {",
    () => {
      p.block("for (;;) {", () => {
        const locals = fieldsDecode(ctx, dec, body, true);
        p.line(`$f = ${body.length};`);
        const props = body.map((f, i) => `${propertyKey(f.name)}: ${locals[i]}`);
        props.push(`${propertyKey(link.name)}: null`);
        p.line(`const $node: ${name} = { ${props.join(", ")} };`);
        p.line(`if ($prev === null) $head = $node;`, `else ${member("$prev", link.name)} = $node;`);
        p.line("$prev = $node;", "if (!$r.readBool()) break;", "$k++;");
      });
      if (list.recursive) p.line("$r.leave();");
      p.line(`return $head as ${name};`);
    },
    null,
  );
  if (dec.usesIndex) p.insert(at, "let $i = -1;");
  listCatch(ctx, list, dec.usesIndex);
}
