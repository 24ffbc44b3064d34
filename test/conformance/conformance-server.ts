/**
 * Lupine's implementation of conformance.x versions 1 and 2, as peer-server.c implements it:
 * echoes, ADD wrapping, SLEEP_MS, COUNT/GET_COUNT/RESET_COUNT, NO_REPLY, SYSTEM_ERR, WHOAMI.
 */

import { RpcError } from "../../src/runtime/errors.js";
import type { HandlersOf } from "../../src/runtime/program.js";
import type { ConformanceProgV1, ConformanceProgV2 } from "./conformance-program.js";

const echo = <T>(v: T) => v;

/** Handlers with their own 64 counters. */
export function conformanceHandlers() {
  const counters = new Array<bigint>(64).fill(0n);
  const v1: HandlersOf<typeof ConformanceProgV1> = {
    v1Add: (a, b) => (a + b) | 0,
    v1EchoInt: echo,
  };
  const v2: HandlersOf<typeof ConformanceProgV2> = {
    add: (a, b) => (a + b) | 0,
    echoInt: echo,
    echoUint: echo,
    echoHyper: echo,
    echoUhyper: echo,
    echoFloat: echo,
    echoDouble: echo,
    echoBool: echo,
    echoEnum: echo,
    echoFixedOpaque: echo,
    echoVarOpaque: echo,
    echoString: echo,
    echoText: echo,
    echoFixedArray: echo,
    echoBoundedArray: echo,
    echoUnboundedArray: echo,
    echoOptional: echo,
    echoPoint: echo,
    echoNested: echo,
    echoList: echo,
    echoResult: echo,
    echoColorChoice: echo,
    echoMaybe: echo,
    echoAll: echo,
    echoBlob: echo,
    sleepMs: (ms) => {
      const capped = Math.min(ms, 60_000);
      return new Promise<number>((resolve) => setTimeout(() => resolve(capped), capped));
    },
    count: (n) => {
      const i = n % 64;
      counters[i] = counters[i]! + 1n;
      return counters[i]!;
    },
    getCount: (n) => counters[n % 64]!,
    resetCount: (n) => {
      counters[n % 64] = 0n;
    },
    // Never answers: the promise settles only when the server closes.
    noReply: (ctx) =>
      new Promise<void>((_resolve, reject) => {
        ctx.signal.addEventListener("abort", () => reject(new RpcError("system_err", "closing")), {
          once: true,
        });
      }),
    systemErr: () => {
      throw new RpcError("system_err", "SYSTEM_ERR on request");
    },
    whoami: (ctx) => {
      const sys = ctx.authSys;
      return {
        flavor: ctx.credential.flavor,
        stamp: sys?.stamp ?? 0,
        machine: (sys?.machinename ?? "").slice(0, 64),
        uid: sys?.uid ?? 0,
        gid: sys?.gid ?? 0,
        gids: sys === undefined ? [] : sys.gids.slice(0, 16),
      };
    },
  };
  return { v1, v2, counters };
}
