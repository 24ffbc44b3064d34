/**
 * The control channel between the lab and its child processes: one JSON object per line, the
 * child's events on stdout and the lab's commands on stdin. A command may carry an `id`, which
 * the child copies into its answer, so several requests can be outstanding.
 */
import type { ChildProcess } from "node:child_process";

/** One control message. */
export type Message = { readonly [key: string]: unknown };

/** Child side: writes one event line to stdout. */
export function emit(event: string, body: Message = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...body })}\n`);
}

/**
 * Child side: calls `handler` for each command line read from stdin, and `onEnd` when stdin
 * closes (the lab went away or asked the child to finish).
 */
export function onCommands(handler: (command: Message) => void, onEnd: () => void): void {
  let buffer = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() !== "") handler(JSON.parse(line) as Message);
    }
  });
  process.stdin.on("end", onEnd);
}

/** Lab side: the events of one child, awaited by kind or by request id. */
export class Channel {
  private buffer = "";
  private nextId = 1;
  private readonly waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] =
    [];
  private readonly seen: Message[] = [];
  private exitError: Error | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.startsWith("{")) this.deliver(JSON.parse(line) as Message);
      }
    });
    child.once("exit", (code, signal) => {
      this.exitError = new Error(`${this.name} exited (code ${code}, signal ${signal})`);
      for (const w of this.waiters.splice(0)) w.resolve({ event: "exit", code, signal });
    });
  }

  /** Resolves with the first event of kind `event` (already received or future). */
  next(event: string, timeoutMs: number): Promise<Message> {
    return this.wait((m) => m.event === event, `${event}`, timeoutMs);
  }

  /** Sends a command and resolves with the answer carrying the same id. */
  request(cmd: string, body: Message = {}, timeoutMs = 30_000): Promise<Message> {
    const id = this.nextId++;
    this.send(cmd, { ...body, id });
    return this.wait((m) => m.id === id, `answer to ${cmd}`, timeoutMs);
  }

  /** Sends a command without waiting. */
  send(cmd: string, body: Message = {}): void {
    if (this.exitError === null && this.child.stdin?.writable) {
      this.child.stdin.write(`${JSON.stringify({ cmd, ...body })}\n`);
    }
  }

  private wait(match: (m: Message) => boolean, what: string, timeoutMs: number): Promise<Message> {
    const i = this.seen.findIndex(match);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]!);
    if (this.exitError !== null) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const k = this.waiters.indexOf(waiter);
        if (k >= 0) this.waiters.splice(k, 1);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (m: Message) => {
          clearTimeout(timer);
          if (m.event === "exit" && !match(m)) reject(this.exitError);
          else resolve(m);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private deliver(m: Message): void {
    const i = this.waiters.findIndex((w) => w.match(m));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else if (this.seen.length < 1000) this.seen.push(m);
  }
}
