/**
 * Starts step processes through a small helper process rather than by forking
 * Eve itself. fork() copies the parent's page tables and write-protects its
 * memory: in Eve (a few hundred MB: Probot, BullMQ, the engine) each spawn held
 * the event loop ~1.5–2 ms until the child had exec'd, then cost copy-on-write
 * faults — the largest cost of a short stage. The helper is a bare Node
 * process; Eve only exchanges messages with it, and reads each step's stdout
 * and stderr from its own output socket, which the helper connects the step to
 * (spawn-helper-protocol.ts): output never passes through the helper. It is
 * started on first use, started again if it dies, and does not keep Eve alive
 * when idle.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputStream } from "../types.js";
import { OutputBackpressure } from "./output-backpressure.js";
import { decodeOutputHeader, OUTPUT_HEADER_BYTES, OUTPUT_KEY_BYTES, type HelperReply, type HelperRequest, type OutputEndpoint, type SpawnFailure, type SpawnRequest } from "./spawn-helper-protocol.js";

/** What happens to one process started through the helper. */
export interface HelperProcessEvents {
  started(pid: number): void;
  /** A promise pauses the process's output until it settles (backpressure). */
  output(data: Buffer, stream: OutputStream): void | Promise<void>;
  /** It could not start; nothing follows. */
  failed(message: string, cause: SpawnFailure): void;
  /** It exited and its output is all delivered; `code` null when it was lost with the helper. */
  closed(code: number | null): void;
}

/** Starts `file` with `args` in its own process group (its pid is the group id). */
export function spawnThroughHelper(request: Omit<SpawnRequest, "type" | "id" | "output">, events: HelperProcessEvents): void {
  helper ??= new SpawnHelper();
  helper.spawn(request, events);
}

let helper: SpawnHelper | undefined;

/**
 * On Linux an abstract socket: nothing on disk to leave behind; the key keeps other local users out.
 * Elsewhere (`eve run` on a Mac) a socket in a private directory, removed when Eve exits.
 */
function createOutputSocketPath(): string {
  const name = `eve-spawn-helper-${process.pid}-${randomBytes(8).toString("hex")}`;
  if (process.platform === "linux") return `\0${name}`;
  const dir = mkdtempSync(join(tmpdir(), "eve-output-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "socket");
}

/** Tests run the TypeScript sources: then the helper runs its source through tsx. */
const CHILD = import.meta.url.endsWith(".ts")
  ? { script: new URL("./spawn-helper-child.ts", import.meta.url), execArgv: ["--import", "tsx"] }
  : { script: new URL("./spawn-helper-child.js", import.meta.url), execArgv: [] };

interface Running {
  events: HelperProcessEvents;
  started: boolean;
  /** Its output connections, held back while a delivery is pending; each one is removed when it ends. */
  outputs: OutputBackpressure<Socket>;
  /** Connections not yet ended (the helper opens two). */
  open: number;
  /** The streams with a connection: one each, any other is dropped. */
  streams: Set<OutputStream>;
  /** The exit code, once the helper has said the process exited. */
  exit?: { code: number | null };
}

class SpawnHelper {
  readonly #child: ChildProcess;
  readonly #server: Server;
  readonly #output: OutputEndpoint;
  readonly #key = randomBytes(OUTPUT_KEY_BYTES);
  readonly #running = new Map<number, Running>();
  #nextId = 1;
  /**
   * Connections the helper opened ahead for the next request (spawn-helper-child.ts), paused until it
   * is sent; `rest` is what came after the header already.
   */
  #early: { id: number; socket: Socket; stream: OutputStream; rest: Buffer }[] = [];

  constructor() {
    this.#output = { path: createOutputSocketPath(), key: this.#key.toString("hex") };
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.listen(this.#output.path);
    this.#server.unref();
    // Not Eve's execArgv: a profiler or inspector flag would apply to the helper too. Detached: a
    // Ctrl-C in Eve's terminal is Eve's to handle (it cancels its stages), not the helper's.
    this.#child = fork(CHILD.script, [], { execArgv: CHILD.execArgv, serialization: "advanced", detached: true, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    this.#child.on("message", (reply: HelperReply) => this.#onReply(reply));
    this.#child.on("exit", () => this.#lost("the spawn helper exited"));
    this.#child.on("error", (error) => this.#lost(`the spawn helper failed: ${error.message}`));
    this.#server.on("error", (error) => {
      this.#child.kill();
      this.#lost(`its output socket failed: ${error.message}`);
    });
    this.#keepAlive(false);
  }

  spawn(request: Omit<SpawnRequest, "type" | "id" | "output">, events: HelperProcessEvents): void {
    const id = this.#nextId++;
    const running: Running = { events, started: false, outputs: new OutputBackpressure((data, stream) => events.output(data, stream)), open: 2, streams: new Set() };
    this.#running.set(id, running);
    this.#keepAlive(true);
    this.#send({ type: "spawn", id, ...request, output: this.#output });
    const early = this.#early;
    this.#early = [];
    for (const held of early) {
      if (held.id !== id || held.socket.destroyed || running.streams.has(held.stream)) {
        held.socket.destroy();
        continue;
      }
      this.#attach(id, running, held.socket, held.stream);
      if (held.rest.length > 0) running.outputs.deliver(held.rest, held.stream);
      if (!running.outputs.holding) held.socket.resume();
    }
  }

  #onReply(reply: HelperReply): void {
    const running = this.#running.get(reply.id);
    if (!running) return;
    switch (reply.type) {
      case "started":
        running.started = true;
        running.events.started(reply.pid);
        break;
      case "failed":
        this.#end(reply.id, running);
        running.events.failed(reply.message, reply.cause);
        break;
      case "closed":
        running.exit = { code: reply.code };
        this.#finishIfDone(reply.id, running);
        break;
    }
  }

  /** A connection to the output socket: the helper's (its header says for which process), or dropped. */
  #accept(socket: Socket): void {
    // Until its header is read it must not keep Eve alive; a process's connections ride on its own ref.
    socket.unref();
    let header = Buffer.alloc(0);
    const onHeader = (chunk: Buffer) => {
      header = Buffer.concat([header, chunk]);
      if (header.length < OUTPUT_HEADER_BYTES) return;
      socket.off("data", onHeader);
      const named = decodeOutputHeader(header.subarray(0, OUTPUT_HEADER_BYTES), this.#key);
      const running = named && this.#running.get(named.id);
      if (named && !running && named.id === this.#nextId && this.#early.length < 2) {
        socket.pause();
        const held = { id: named.id, socket, stream: named.stream, rest: header.subarray(OUTPUT_HEADER_BYTES) };
        this.#early.push(held);
        socket.once("close", () => {
          this.#early = this.#early.filter((entry) => entry !== held);
        });
        return;
      }
      if (!named || !running || running.streams.has(named.stream)) {
        socket.destroy();
        return;
      }
      this.#attach(named.id, running, socket, named.stream);
      if (header.length > OUTPUT_HEADER_BYTES) running.outputs.deliver(header.subarray(OUTPUT_HEADER_BYTES), named.stream);
    };
    socket.on("data", onHeader);
    socket.on("error", () => socket.destroy());
  }

  #attach(id: number, running: Running, socket: Socket, stream: OutputStream): void {
    running.outputs.add(socket);
    running.streams.add(stream);
    socket.on("data", (data: Buffer) => running.outputs.deliver(data, stream));
    socket.on("close", () => {
      if (!running.outputs.delete(socket)) return;
      running.open--;
      this.#finishIfDone(id, running);
    });
  }

  /** Done when the process has exited and its output connections have ended. */
  #finishIfDone(id: number, running: Running): void {
    if (running.exit === undefined || running.open > 0 || !this.#running.has(id)) return;
    this.#end(id, running);
    running.events.closed(running.exit.code);
  }

  #end(id: number, running: Running): void {
    this.#running.delete(id);
    for (const socket of running.outputs.streams) socket.destroy();
    running.outputs.clear();
    if (this.#running.size === 0) this.#keepAlive(false);
  }

  /** The helper is gone: the exit codes of its processes are lost (their groups are still killed by teardown). */
  #lost(reason: string): void {
    if (helper === this) helper = undefined;
    this.#server.close();
    for (const held of this.#early) held.socket.destroy();
    this.#early = [];
    const running = [...this.#running];
    this.#running.clear();
    for (const [, step] of running) {
      for (const socket of step.outputs.streams) socket.destroy();
      if (!step.started) step.events.failed(reason, "start");
      else {
        void step.events.output(Buffer.from(`eve: lost this step's process: ${reason}\n`), "stderr");
        step.events.closed(null);
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
