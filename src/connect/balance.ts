/**
 * Client transports made of other client transports:
 *
 * - {@link LazyTransport} opens its transport on the first call (name resolution, an rpcbind
 *   lookup, a socket) and again after a failed open;
 * - {@link BalancedTransport} spreads calls over several transports (`round-robin`,
 *   `least-outstanding`) or uses one until it fails (`failover`). A call moves to the next
 *   transport only when it failed with `unreachable`, which transports raise only when the
 *   request was never sent (refused connection, unknown name, not registered): a call that may
 *   have run is never sent again, so at-most-once holds across failover.
 */
import type { Clock } from "../io/index.js";
import { RpcError } from "../runtime/errors.js";
import type { CallRequest, ClientTransport } from "../runtime/transport.js";

/** An error's message without its `[code] ` prefix, for wrapping it in a new message. */
function bare(e: RpcError): string {
  return e.message.replace(/^\[[a-z_]+\] /, "");
}

/** How a {@link BalancedTransport} picks a transport for each call. */
export type BalancePolicy = "failover" | "round-robin" | "least-outstanding";

/** See the module comment. */
export class LazyTransport implements ClientTransport {
  readonly kind: string;
  private ready: ClientTransport | undefined;
  private opening: Promise<ClientTransport> | undefined;
  private closed = false;

  constructor(
    kind: string,
    private readonly open: () => Promise<ClientTransport>,
    private readonly clock: Clock,
  ) {
    this.kind = kind;
  }

  /** The opened transport, once there is one. */
  get transport(): ClientTransport | undefined {
    return this.ready;
  }

  call<R>(request: CallRequest<R>): Promise<R> {
    if (this.ready !== undefined) return this.ready.call(request);
    if (this.closed)
      return Promise.reject(new RpcError("closed", `${request.procedureName}: client is closed`));
    const started = this.clock.now();
    this.opening ??= this.open().then(
      (t) => {
        this.opening = undefined;
        if (this.closed) {
          void t.close();
          throw new RpcError("closed", "client closed while connecting");
        }
        this.ready = t;
        return t;
      },
      (e: unknown) => {
        this.opening = undefined;
        throw RpcError.from(e, "unreachable");
      },
    );
    return this.withinDeadline(this.opening, request, started).then(
      (t) => {
        const left = request.timeoutMs - (this.clock.now() - started);
        if (left <= 0) {
          throw new RpcError(
            "timeout",
            `${request.procedureName}: deadline passed while connecting`,
            {
              details: { elapsedMs: Math.round(this.clock.now() - started), transmissions: 0 },
            },
          );
        }
        return t.call({ ...request, timeoutMs: left }).catch((e: unknown) => {
          // A timeout counts from the call, not from when the connection was ready.
          if (!(e instanceof RpcError) || e.code !== "timeout") throw e;
          const elapsedMs = Math.round(this.clock.now() - started);
          throw new RpcError("timeout", bare(e).replace(/after \d+ ms/, `after ${elapsedMs} ms`), {
            cause: e.cause,
            details: { ...e.details, elapsedMs },
          });
        });
      },
      (e: RpcError) => {
        throw new RpcError(e.code, `${request.procedureName}: ${bare(e)}`, {
          cause: e,
          details: e.details,
          remote: e.remote,
        });
      },
    );
  }

  /** `opening`, or a `timeout` (or `canceled`) if the call's deadline or signal comes first. */
  private withinDeadline(
    opening: Promise<ClientTransport>,
    request: CallRequest<unknown>,
    started: number,
  ): Promise<ClientTransport> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        cleanup();
        reject(
          new RpcError("timeout", "deadline passed while connecting", {
            details: { elapsedMs: Math.round(this.clock.now() - started), transmissions: 0 },
          }),
        );
      }, request.timeoutMs);
      const onAbort = () => {
        cleanup();
        reject(new RpcError("canceled", "canceled while connecting"));
      };
      const cleanup = () => {
        this.clock.clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
      };
      request.signal?.addEventListener("abort", onAbort, { once: true });
      opening.then(
        (t) => {
          cleanup();
          resolve(t);
        },
        (e: unknown) => {
          cleanup();
          reject(e);
        },
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const t = this.ready;
    this.ready = undefined;
    await t?.close();
  }
}

interface Member {
  readonly transport: ClientTransport;
  outstanding: number;
  downUntil: number;
}

/** See the module comment. */
export class BalancedTransport implements ClientTransport {
  readonly kind: string;
  private readonly members: Member[];
  private next = 0;

  constructor(
    transports: readonly ClientTransport[],
    private readonly policy: BalancePolicy,
    private readonly clock: Clock,
    /** How long a transport that was unreachable is skipped (ms). */
    private readonly downMs = 5000,
  ) {
    if (transports.length === 0) throw new TypeError("no transports to balance");
    this.members = transports.map((transport) => ({ transport, outstanding: 0, downUntil: 0 }));
    this.kind = transports[0]!.kind;
  }

  /** Calls in flight per member, in order (for tests and metrics). */
  get outstanding(): number[] {
    return this.members.map((m) => m.outstanding);
  }

  private pick(tried: ReadonlySet<Member>): Member | undefined {
    const now = this.clock.now();
    const n = this.members.length;
    const candidates: Member[] = [];
    for (let i = 0; i < n; i++) {
      const m = this.members[(this.next + i) % n]!;
      if (!tried.has(m)) candidates.push(m);
    }
    const up = candidates.filter((m) => m.downUntil <= now);
    const pool = up.length > 0 ? up : candidates;
    if (pool.length === 0) return undefined;
    switch (this.policy) {
      case "failover":
        return pool[0];
      case "round-robin": {
        const m = pool[0]!;
        this.next = (this.members.indexOf(m) + 1) % n;
        return m;
      }
      case "least-outstanding":
        return pool.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
    }
  }

  async call<R>(request: CallRequest<R>): Promise<R> {
    const tried = new Set<Member>();
    let last: unknown;
    for (;;) {
      const m = this.pick(tried);
      if (m === undefined) throw last;
      tried.add(m);
      m.outstanding++;
      try {
        const r = await m.transport.call(request);
        m.downUntil = 0;
        return r;
      } catch (e) {
        const code = (e as RpcError).code;
        if (code !== "unreachable") throw e;
        last = e;
        m.downUntil = this.clock.now() + this.downMs;
        if (this.policy === "failover")
          this.next = (this.members.indexOf(m) + 1) % this.members.length;
      } finally {
        m.outstanding--;
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.transport.close()));
  }
}
