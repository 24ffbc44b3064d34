/**
 * Who may call: a server interceptor that admits a call only when one of its rules matches the
 * call's source address, credential (flavor; AUTH_SYS uid, gids, machine name), transport
 * security and authenticated identity, and refuses the rest with MSG_DENIED / AUTH_ERROR
 * (RFC 5531 §9) — AUTH_TOOWEAK by default, "rejected for security reasons", the answer
 * libtirpc-era servers give a caller they will not serve (`svcerr_weakauth`: the system rpcbind
 * for SET from another host, mountd, ypbind).
 *
 * ```ts
 * createServer({
 *   interceptors: [
 *     accessPolicy({
 *       allow: [
 *         { procedures: [0] }, // NULL from anywhere
 *         { from: ["10.1.0.0/16"], flavors: [AuthFlavor.AUTH_SYS], gids: [50] },
 *         { secure: true, peers: ["sha256/3kq…"] }, // a pinned TLS client, from anywhere
 *       ],
 *     }),
 *   ],
 * });
 * ```
 *
 * AUTH_SYS is identification, not authentication: a rule on uids or gids only says what the
 * caller claims. Pair it with `from` (networks you trust not to lie), or with `secure`/`peers`.
 *
 * It is an ordinary interceptor, so it composes with the others; put it first. It decides from
 * the call's context alone and never reads `call.args`, so nothing of a refused call's arguments
 * is decoded (the dispatcher decodes them lazily). Unknown programs, versions and procedures are
 * answered by the dispatcher before interceptors run (PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL).
 */
import type { CallContext } from "./context.js";
import { AuthStat, RpcError } from "./errors.js";
import type { ServerInterceptor } from "./interceptor.js";
import { NetworkSet } from "./networks.js";

/**
 * One way to be admitted: every condition given must hold (absent ones always hold). A call is
 * admitted when any rule of the policy admits it.
 */
export interface AccessRule {
  /** Source networks (`127.0.0.0/8`, `::1`, `10.0.0.0/8`, `loopback`). */
  readonly from?: readonly string[];
  /** Credential flavors (`AuthFlavor` values). */
  readonly flavors?: readonly number[];
  /** AUTH_SYS uids; implies an AUTH_SYS credential. */
  readonly uids?: readonly number[];
  /** AUTH_SYS groups (the primary gid or any supplementary gid); implies AUTH_SYS. */
  readonly gids?: readonly number[];
  /** AUTH_SYS machine names (compared case-insensitively); implies AUTH_SYS. */
  readonly machines?: readonly string[];
  /** True: only over an encrypted, integrity-protected channel (RPC-with-TLS, secure Lupine). */
  readonly secure?: boolean;
  /** Authenticated callers by `PeerIdentity.id`; implies an authenticated peer. */
  readonly peers?: readonly string[];
  /** Program numbers the rule covers (default all). */
  readonly programs?: readonly number[];
  /** Procedure numbers or `.x` names (`NFSPROC3_READ`) the rule covers (default all). */
  readonly procedures?: readonly (number | string)[];
  /** Any further condition, from the call's context. */
  readonly when?: (context: CallContext) => boolean;
}

/** Options of {@link accessPolicy}. */
export interface AccessPolicyOptions {
  /** The rules; a call no rule admits is refused. An empty list refuses everything. */
  readonly allow: readonly AccessRule[];
  /** The `auth_stat` of a refusal; default AUTH_TOOWEAK (5). */
  readonly authStat?: number;
  /** Told of each refusal (for logs or metrics; rate-limit there if it logs). */
  readonly onDeny?: (context: CallContext) => void;
}

interface CompiledRule {
  readonly rule: AccessRule;
  readonly from: NetworkSet | undefined;
  readonly machines: ReadonlySet<string> | undefined;
  readonly procedures: ReadonlySet<number | string> | undefined;
}

function compile(rule: AccessRule): CompiledRule {
  return {
    rule,
    from: rule.from === undefined ? undefined : new NetworkSet(rule.from),
    machines:
      rule.machines === undefined ? undefined : new Set(rule.machines.map((m) => m.toLowerCase())),
    procedures: rule.procedures === undefined ? undefined : new Set(rule.procedures),
  };
}

/** Whether `rule` admits the call described by `ctx`. Pure. */
function admits(r: CompiledRule, ctx: CallContext): boolean {
  const rule = r.rule;
  if (rule.programs !== undefined && !rule.programs.includes(ctx.program)) return false;
  if (
    r.procedures !== undefined &&
    !r.procedures.has(ctx.procedure) &&
    !r.procedures.has(ctx.procedureName)
  )
    return false;
  if (r.from !== undefined && !r.from.has(ctx.remote?.address)) return false;
  if (rule.flavors !== undefined && !rule.flavors.includes(ctx.credential.flavor)) return false;
  if (rule.secure === true && !ctx.secure) return false;
  if (rule.peers !== undefined && (ctx.peer === undefined || !rule.peers.includes(ctx.peer.id)))
    return false;
  if (rule.uids !== undefined || rule.gids !== undefined || r.machines !== undefined) {
    const sys = ctx.authSys;
    if (sys === undefined) return false;
    if (rule.uids !== undefined && !rule.uids.includes(sys.uid)) return false;
    if (
      rule.gids !== undefined &&
      !rule.gids.includes(sys.gid) &&
      !sys.gids.some((g) => rule.gids!.includes(g))
    )
      return false;
    if (r.machines !== undefined && !r.machines.has(sys.machinename.toLowerCase())) return false;
  }
  return rule.when === undefined || rule.when(ctx);
}

/** A short description of the caller, for the refusal's message. */
function describe(ctx: CallContext): string {
  const from = ctx.remote === undefined ? "an unknown address" : ctx.remote.address;
  const who =
    ctx.peer !== undefined
      ? ` as ${ctx.peer.id}`
      : ctx.authSys !== undefined
        ? ` claiming uid ${ctx.authSys.uid} on ${ctx.authSys.machinename || "(no name)"}`
        : "";
  return `${ctx.procedureName} from ${from}${who}${ctx.secure ? "" : " (not secure)"}`;
}

/**
 * The interceptor (see the module comment). Throws a `TypeError` at once when a rule names a
 * malformed network.
 */
export function accessPolicy(options: AccessPolicyOptions): ServerInterceptor {
  const rules = options.allow.map(compile);
  const authStat = options.authStat ?? AuthStat.AUTH_TOOWEAK;
  return (next) => (call) => {
    const ctx = call.context;
    for (const r of rules) if (admits(r, ctx)) return next(call);
    options.onDeny?.(ctx);
    return Promise.reject(
      new RpcError("auth_error", `access policy refused ${describe(ctx)}`, {
        details: { authStat },
        remote: true,
      }),
    );
  };
}
