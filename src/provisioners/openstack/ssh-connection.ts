/**
 * One SSH connection to a server (ssh2, pure JS), its host key pinned: to the
 * key the server printed on its console when there is one (cloud-init's
 * "BEGIN SSH HOST KEY KEYS" block), else to the key of the first contact.
 * Every exec is a channel of this one connection; a command is a string run
 * by the login shell, so argv is quoted here. The only module that imports ssh2.
 */
// ssh2 is CommonJS: Node gives ES modules only its default export.
import ssh2, { type ClientChannel } from "ssh2";

const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;
import { ProvisionError } from "../types.js";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
}

export interface SshExecHandle {
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** Exit code, or null when the command died of a signal or the channel closed without one. */
  done: Promise<number | null>;
  close(): void;
}

/** The connection to the server broke: infrastructure, not the step. */
export class SshTransportError extends ProvisionError {
  override readonly name: string = "SshTransportError";
}

export class SshConnection {
  readonly #client: Client;
  #closed = false;

  private constructor(client: Client) {
    this.#client = client;
    client.on("close", () => (this.#closed = true));
    // Errors after ready surface on the channels; an unheard 'error' would crash Eve.
    client.on("error", () => undefined);
  }

  /** Connects once; rejects when the server does not answer or its host key is not `expectedKeys`' (when given). */
  static connect(target: SshTarget, expectedKeys: Buffer[] | undefined, readyTimeoutMs: number): Promise<{ connection: SshConnection; hostKey: Buffer }> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKey: Buffer | undefined;
      client.once("ready", () => resolve({ connection: new SshConnection(client), hostKey: hostKey ?? Buffer.alloc(0) }));
      // ssh2 may emit more than one error for one failed attempt: every one must be heard.
      const onError = (error: Error): void => {
        client.end();
        reject(error);
      };
      client.on("error", onError);
      client.once("ready", () => client.off("error", onError));
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        hostVerifier: (key: Buffer) => {
          hostKey = Buffer.from(key);
          return expectedKeys === undefined || expectedKeys.some((expected) => expected.equals(key));
        },
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts a command (argv, quoted for the remote shell). */
  exec(argv: string[], pty: boolean): Promise<SshExecHandle> {
    const command = argv.map(quoteForShell).join(" ");
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new SshTransportError("the SSH connection to the server is closed"));
      const options = pty ? { pty: { term: "xterm", rows: 24, cols: 200 } } : {};
      this.#client.exec(command, options, (error, channel: ClientChannel) => {
        if (error) return reject(new SshTransportError(`SSH exec failed: ${error.message}`, { cause: error }));
        let exitCode: number | null = null;
        channel.on("exit", (code: number | null) => (exitCode = typeof code === "number" ? code : null));
        const done = new Promise<number | null>((resolveDone, rejectDone) => {
          channel.on("close", () => (this.#closed ? rejectDone(new SshTransportError("the SSH connection to the server was lost during the step")) : resolveDone(exitCode)));
        });
        done.catch(() => undefined);
        resolve({ stdout: channel, stderr: channel.stderr, done, close: () => channel.close() });
      });
    });
  }

  /** Runs a command to its end and returns its output (for the few commands Eve itself runs). */
  async run(argv: string[]): Promise<{ exitCode: number | null; output: string }> {
    const handle = await this.exec(argv, false);
    const chunks: Buffer[] = [];
    handle.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    handle.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const exitCode = await handle.done;
    return { exitCode, output: Buffer.concat(chunks).toString("utf8") };
  }

  close(): void {
    this.#client.end();
  }
}

/** POSIX single quotes: nothing inside is special. */
export function quoteForShell(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The host keys a server printed on its console (cloud-init's block), as key blobs. */
export function parseConsoleHostKeys(console: string): Buffer[] {
  const block = /-----BEGIN SSH HOST KEY KEYS-----([\s\S]*?)-----END SSH HOST KEY KEYS-----/.exec(console);
  if (!block?.[1]) return [];
  return block[1]
    .split("\n")
    .map((line) => /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+)\s+([A-Za-z0-9+/=]+)/.exec(line.trim()))
    .flatMap((match) => (match?.[2] ? [Buffer.from(match[2], "base64")] : []));
}

/**
 * A fresh ed25519 key pair in OpenSSH format (`public` is an authorized_keys line).
 * ssh2 strips leading zero bytes off the public key (mscdex/ssh2#1390, #1513):
 * one pair in 256 is malformed, and sshd refuses it (a stage's VM never let
 * Eve in). Such a pair is drawn again.
 */
export function generateSshKeyPair(comment?: string): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519", comment === undefined ? {} : { comment });
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error)) return { private: pair.private, public: pair.public };
  }
}
