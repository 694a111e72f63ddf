/**
 * Starts step processes through a small helper process rather than by forking
 * Eve itself. fork() copies the parent's page tables and write-protects its
 * memory: in Eve (a few hundred MB: Probot, BullMQ, the engine) each spawn held
 * the event loop ~1.5–2 ms until the child had exec'd, then cost copy-on-write
 * faults — the largest cost of a short stage. The helper is a bare Node
 * process; Eve only exchanges messages with it. It is started on first use,
 * started again if it dies, and does not keep Eve alive when idle.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { OutputStream } from "../types.js";
import type { HelperReply, HelperRequest, SpawnRequest } from "./spawn-helper-protocol.js";

/** What happens to one process started through the helper. */
export interface HelperProcessEvents {
  started(pid: number): void;
  /** A promise pauses the process's output until it settles (backpressure). */
  output(data: Buffer, stream: OutputStream): void | Promise<void>;
  /** It could not start; nothing follows. */
  failed(message: string): void;
  /** It exited and its output is all delivered; `code` null when it was lost with the helper. */
  closed(code: number | null): void;
}

/**
 * Starts the helper now rather than at the first step: a process that will run steps (`eve run`) lets
 * it boot (~50 ms, a Node process) while it loads its own modules and reads the build file.
 */
export function startSpawnHelper(): void {
  helper ??= new SpawnHelper();
}

/** Starts `file` with `args` in its own process group (its pid is the group id). */
export function spawnThroughHelper(request: Omit<SpawnRequest, "type" | "id">, events: HelperProcessEvents): void {
  helper ??= new SpawnHelper();
  helper.spawn(request, events);
}

let helper: SpawnHelper | undefined;

/** Tests run the TypeScript sources: then the helper runs its source through tsx. */
const CHILD = import.meta.url.endsWith(".ts")
  ? { script: new URL("./spawn-helper-child.ts", import.meta.url), execArgv: ["--import", "tsx"] }
  : { script: new URL("./spawn-helper-child.js", import.meta.url), execArgv: [] };

interface Running {
  events: HelperProcessEvents;
  started: boolean;
  /** Output deliveries still pending: the process is paused while there are any. */
  holding: number;
}

class SpawnHelper {
  readonly #child: ChildProcess;
  readonly #running = new Map<number, Running>();
  #nextId = 1;

  constructor() {
    // Not Eve's execArgv: a profiler or inspector flag would apply to the helper too. Detached: a
    // Ctrl-C in Eve's terminal is Eve's to handle (it cancels its stages), not the helper's.
    this.#child = fork(CHILD.script, [], { execArgv: CHILD.execArgv, serialization: "advanced", detached: true, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    this.#child.on("message", (reply: HelperReply) => this.#onReply(reply));
    this.#child.on("exit", () => this.#lost("the spawn helper exited"));
    this.#child.on("error", (error) => this.#lost(`the spawn helper failed: ${error.message}`));
    this.#keepAlive(false);
  }

  spawn(request: Omit<SpawnRequest, "type" | "id">, events: HelperProcessEvents): void {
    const id = this.#nextId++;
    this.#running.set(id, { events, started: false, holding: 0 });
    this.#keepAlive(true);
    this.#send({ type: "spawn", id, ...request });
  }

  #onReply(reply: HelperReply): void {
    const running = this.#running.get(reply.id);
    if (!running) return;
    switch (reply.type) {
      case "started":
        running.started = true;
        running.events.started(reply.pid);
        break;
      case "output": {
        // The advanced serialisation delivers a Uint8Array: view it as a Buffer without copying.
        const data = Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
        const pending = running.events.output(data, reply.stream);
        if (pending) this.#hold(reply.id, running, pending);
        break;
      }
      case "failed":
        this.#end(reply.id);
        running.events.failed(reply.message);
        break;
      case "closed":
        this.#end(reply.id);
        running.events.closed(reply.code);
        break;
    }
  }

  #hold(id: number, running: Running, pending: Promise<void>): void {
    if (running.holding++ === 0) this.#send({ type: "pause", id });
    const release = () => {
      if (--running.holding === 0 && this.#running.has(id)) this.#send({ type: "resume", id });
    };
    pending.then(release, release);
  }

  #end(id: number): void {
    this.#running.delete(id);
    if (this.#running.size === 0) this.#keepAlive(false);
  }

  /** The helper is gone: its processes' output is lost (their groups are still killed by teardown). */
  #lost(reason: string): void {
    if (helper === this) helper = undefined;
    const running = [...this.#running.values()];
    this.#running.clear();
    for (const { events, started } of running) {
      if (!started) events.failed(reason);
      else {
        void events.output(Buffer.from(`eve: lost this step's process: ${reason}\n`), "stderr");
        events.closed(null);
      }
    }
  }

  #send(request: HelperRequest): void {
    if (this.#child.connected) this.#child.send(request);
  }

  /** An idle helper must not keep Eve (or `eve run`) from exiting. */
  #keepAlive(busy: boolean): void {
    if (busy) {
      this.#child.ref();
      this.#child.channel?.ref();
    } else {
      this.#child.unref();
      this.#child.channel?.unref();
    }
  }
}
