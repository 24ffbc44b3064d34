/**
 * Descriptors for ../shared/oncrpc-peer/conformance.x (program 0x20000099 versions 1 and 2),
 * written with the XDR combinators in the shape `lupine gen` emits.
 */
import { defineProgram, xdr } from "../../src/runtime/generated.js";

type Codec<T> = xdr.XdrCodec<T>;

export const CONF_MAX_NAME = 64;
export const CONF_MAX_ITEMS = 16;
export const CONF_MAX_BLOB = 1048576;
export const CONFORMANCE_PROG = 0x20000099;

export const Color = { RED: 0, GREEN: 1, BLUE: 2, ORANGE: -1 } as const;
export type Color = (typeof Color)[keyof typeof Color];
export const xdr_color = xdr.enumeration("color", Color);

export const xdr_name_t = xdr.string(CONF_MAX_NAME);
export const xdr_text_t = xdr.string();
export const xdr_fixed_opaque_t = xdr.fixedOpaque(8);
export const xdr_var_opaque_t = xdr.opaque(CONF_MAX_NAME);
export const xdr_blob_t = xdr.opaque(CONF_MAX_BLOB);
export const xdr_fixed_array_t = xdr.fixedArray(xdr.int, 4);
export const xdr_bounded_array_t = xdr.array(xdr.int, CONF_MAX_ITEMS);
export const xdr_unbounded_array_t = xdr.array(xdr.int);

export interface Point {
  x: number;
  y: number;
}
export const xdr_point: Codec<Point> = xdr.struct("point", { x: xdr.int, y: xdr.int });
export const xdr_optional_point = xdr.optional(xdr_point);

export interface Inner {
  where: Point;
  shade: Color;
  label: string;
}
export const xdr_inner: Codec<Inner> = xdr.struct("inner", {
  where: xdr_point,
  shade: xdr_color,
  label: xdr_name_t,
});

export interface Nested {
  first: Inner;
  corners: Point[];
  more: Inner[];
  maybe: Point | null;
}
export const xdr_nested: Codec<Nested> = xdr.struct("nested", {
  first: xdr_inner,
  corners: xdr.fixedArray(xdr_point, 2),
  more: xdr.array(xdr_inner, CONF_MAX_ITEMS),
  maybe: xdr.optional(xdr_point),
});

export interface IntList {
  value: number;
  next: IntList | null;
}
/** `int_list` decoded and encoded in a loop (a long list costs no stack). */
export const xdr_int_list: Codec<IntList> = {
  name: "int_list",
  minSize: 8,
  encode(w, v) {
    let node: IntList | null = v;
    for (;;) {
      w.writeInt(node.value);
      w.writeBool(node.next !== null);
      if (node.next === null) return;
      node = node.next;
    }
  },
  decode(r) {
    const head: IntList = { value: r.readInt(), next: null };
    let tail = head;
    while (r.readBool()) {
      const node: IntList = { value: r.readInt(), next: null };
      tail.next = node;
      tail = node;
    }
    return head;
  },
};
export const xdr_int_list_ptr: Codec<IntList | null> = {
  name: "int_list *",
  minSize: 4,
  encode(w, v) {
    w.writeBool(v !== null);
    if (v !== null) xdr_int_list.encode(w, v);
  },
  decode: (r) => (r.readBool() ? xdr_int_list.decode(r) : null),
};

export type Result =
  | { status: 0; value: number }
  | { status: 1; message: string }
  | { status: 2 }
  | { status: 3 | 4; real: number }
  | { status: number; other: bigint };
export const xdr_result = xdr.union<Result>("result", {
  discriminant: ["status", xdr.int],
  arms: new Map([
    [0, ["value", xdr.int]],
    [1, ["message", xdr_name_t]],
    [2, null],
    [3, ["real", xdr.double]],
    [4, ["real", xdr.double]],
  ]),
  defaultArm: ["other", xdr.hyper],
});

export type ColorChoice = { c: 0; red_value: number } | { c: 2; blue_point: Point } | { c: Color };
export const xdr_color_choice = xdr.union<ColorChoice>("color_choice", {
  discriminant: ["c", xdr_color],
  arms: new Map([
    [Color.RED, ["red_value", xdr.int]],
    [Color.BLUE, ["blue_point", xdr_point]],
  ]),
  defaultArm: null,
});

export type MaybeInt = { present: true; value: number } | { present: false };
export const xdr_maybe_int = xdr.union<MaybeInt>("maybe_int", {
  discriminant: ["present", xdr.bool],
  arms: new Map([
    [1, ["value", xdr.int]],
    [0, null],
  ]),
});

export const xdr_all_types = xdr.struct("all_types", {
  i: xdr.int,
  u: xdr.uint,
  h: xdr.hyper,
  uh: xdr.uhyper,
  f: xdr.float,
  d: xdr.double,
  b: xdr.bool,
  e: xdr_color,
  fo: xdr_fixed_opaque_t,
  vo: xdr_var_opaque_t,
  s: xdr_name_t,
  t: xdr_text_t,
  fa: xdr_fixed_array_t,
  ba: xdr_bounded_array_t,
  ua: xdr_unbounded_array_t,
  opt: xdr.optional(xdr_point),
  n: xdr_nested,
  r: xdr_result,
  cc: xdr_color_choice,
  mi: xdr_maybe_int,
  list: xdr_int_list_ptr,
});

export const xdr_fixed_opaque_box = xdr.struct("fixed_opaque_box", { data: xdr_fixed_opaque_t });
export const xdr_fixed_array_box = xdr.struct("fixed_array_box", { data: xdr_fixed_array_t });

export interface AuthInfo {
  flavor: number;
  stamp: number;
  machine: string;
  uid: number;
  gid: number;
  gids: number[];
}
export const xdr_auth_info: Codec<AuthInfo> = xdr.struct("auth_info", {
  flavor: xdr.uint,
  stamp: xdr.uint,
  machine: xdr_name_t,
  uid: xdr.uint,
  gid: xdr.uint,
  gids: xdr.array(xdr.uint, 16),
});

/** program CONFORMANCE_PROG, version CONF_V1 */
export const ConformanceProgV1 = defineProgram({
  name: "CONFORMANCE_PROG",
  program: CONFORMANCE_PROG,
  version: 1,
  procedures: {
    v1Null: { procedure: 0, name: "V1_NULL", args: [], result: xdr.void },
    v1Add: { procedure: 1, name: "V1_ADD", args: [xdr.int, xdr.int], result: xdr.int },
    v1EchoInt: { procedure: 2, name: "V1_ECHO_INT", args: [xdr.int], result: xdr.int },
  },
});

/** program CONFORMANCE_PROG, version CONF_V2 */
export const ConformanceProgV2 = defineProgram({
  name: "CONFORMANCE_PROG",
  program: CONFORMANCE_PROG,
  version: 2,
  procedures: {
    nullProc: { procedure: 0, name: "NULL_PROC", args: [], result: xdr.void },
    add: { procedure: 1, name: "ADD", args: [xdr.int, xdr.int], result: xdr.int },
    echoInt: { procedure: 2, name: "ECHO_INT", args: [xdr.int], result: xdr.int },
    echoUint: { procedure: 3, name: "ECHO_UINT", args: [xdr.uint], result: xdr.uint },
    echoHyper: { procedure: 4, name: "ECHO_HYPER", args: [xdr.hyper], result: xdr.hyper },
    echoUhyper: { procedure: 5, name: "ECHO_UHYPER", args: [xdr.uhyper], result: xdr.uhyper },
    echoFloat: { procedure: 6, name: "ECHO_FLOAT", args: [xdr.float], result: xdr.float },
    echoDouble: { procedure: 7, name: "ECHO_DOUBLE", args: [xdr.double], result: xdr.double },
    echoBool: { procedure: 8, name: "ECHO_BOOL", args: [xdr.bool], result: xdr.bool },
    echoEnum: { procedure: 9, name: "ECHO_ENUM", args: [xdr_color], result: xdr_color },
    echoFixedOpaque: {
      procedure: 10,
      name: "ECHO_FIXED_OPAQUE",
      args: [xdr_fixed_opaque_box],
      result: xdr_fixed_opaque_box,
    },
    echoVarOpaque: {
      procedure: 11,
      name: "ECHO_VAR_OPAQUE",
      args: [xdr_var_opaque_t],
      result: xdr_var_opaque_t,
    },
    echoString: { procedure: 12, name: "ECHO_STRING", args: [xdr_name_t], result: xdr_name_t },
    echoText: { procedure: 13, name: "ECHO_TEXT", args: [xdr_text_t], result: xdr_text_t },
    echoFixedArray: {
      procedure: 14,
      name: "ECHO_FIXED_ARRAY",
      args: [xdr_fixed_array_box],
      result: xdr_fixed_array_box,
    },
    echoBoundedArray: {
      procedure: 15,
      name: "ECHO_BOUNDED_ARRAY",
      args: [xdr_bounded_array_t],
      result: xdr_bounded_array_t,
    },
    echoUnboundedArray: {
      procedure: 16,
      name: "ECHO_UNBOUNDED_ARRAY",
      args: [xdr_unbounded_array_t],
      result: xdr_unbounded_array_t,
    },
    echoOptional: {
      procedure: 17,
      name: "ECHO_OPTIONAL",
      args: [xdr_optional_point],
      result: xdr_optional_point,
    },
    echoPoint: { procedure: 18, name: "ECHO_POINT", args: [xdr_point], result: xdr_point },
    echoNested: { procedure: 19, name: "ECHO_NESTED", args: [xdr_nested], result: xdr_nested },
    echoList: { procedure: 20, name: "ECHO_LIST", args: [xdr_int_list], result: xdr_int_list },
    echoResult: { procedure: 21, name: "ECHO_RESULT", args: [xdr_result], result: xdr_result },
    echoColorChoice: {
      procedure: 22,
      name: "ECHO_COLOR_CHOICE",
      args: [xdr_color_choice],
      result: xdr_color_choice,
    },
    echoMaybe: { procedure: 23, name: "ECHO_MAYBE", args: [xdr_maybe_int], result: xdr_maybe_int },
    echoAll: { procedure: 24, name: "ECHO_ALL", args: [xdr_all_types], result: xdr_all_types },
    echoBlob: { procedure: 25, name: "ECHO_BLOB", args: [xdr_blob_t], result: xdr_blob_t },
    sleepMs: { procedure: 26, name: "SLEEP_MS", args: [xdr.uint], result: xdr.uint },
    count: { procedure: 27, name: "COUNT", args: [xdr.uint], result: xdr.uhyper },
    getCount: { procedure: 28, name: "GET_COUNT", args: [xdr.uint], result: xdr.uhyper },
    resetCount: { procedure: 29, name: "RESET_COUNT", args: [xdr.uint], result: xdr.void },
    noReply: { procedure: 30, name: "NO_REPLY", args: [], result: xdr.void },
    systemErr: { procedure: 31, name: "SYSTEM_ERR", args: [], result: xdr.void },
    whoami: { procedure: 32, name: "WHOAMI", args: [], result: xdr_auth_info },
  },
});
