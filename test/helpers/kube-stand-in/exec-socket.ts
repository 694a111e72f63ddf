/**
 * The exec subresource as the API server speaks it: a WebSocket with the
 * `v5.channel.k8s.io` (or `v4`) subprotocol, every binary frame prefixed
 * with its channel (1 stdout, 2 stderr, 3 status), the status a v1 Status
 * whose `details.causes[reason=ExitCode]` carries a non-zero exit code.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { WebSocketServer, type WebSocket } from "ws";

export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

export function createExecServer(): WebSocketServer {
  return new WebSocketServer({ noServer: true, handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false });
}

export function acceptExec(wss: WebSocketServer, request: IncomingMessage, socket: Duplex, head: Buffer, docker: Docker, containerId: string | undefined, url: URL): void {
  wss.handleUpgrade(request, socket, head, (ws) => void runExec(ws, docker, containerId, url));
}

async function runExec(ws: WebSocket, docker: Docker, containerId: string | undefined, url: URL): Promise<void> {
  const command = url.searchParams.getAll("command");
  const tty = url.searchParams.get("tty") === "true";
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  const finish = (status: object): void => {
    send(3, Buffer.from(JSON.stringify({ metadata: {}, ...status })));
    ws.close(1000);
  };
  if (!containerId) return finish({ status: "Failure", message: "container not found or not running", reason: "BadRequest" });
  try {
    const exec = await docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: tty });
    const stream = await exec.start({ hijack: true, stdin: false, Tty: tty });
    const sink = (channel: number): Writable => new Writable({ write: (chunk: Buffer, _enc, done) => (send(channel, chunk), done()) });
    if (tty) stream.pipe(sink(1));
    else docker.modem.demuxStream(stream, sink(1), sink(2));
    // The client dropping the connection does not stop the process, as with a real kubelet.
    ws.on("close", () => stream.destroy());
    await new Promise<void>((resolve) => stream.once("end", resolve).once("close", resolve).once("error", () => resolve()));
    let info = await exec.inspect();
    for (let i = 0; info.Running && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      info = await exec.inspect();
    }
    const code = info.ExitCode ?? 0;
    if (code === 0) return finish({ status: "Success" });
    finish({
      status: "Failure",
      message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: String(code) }] },
    });
  } catch (error) {
    finish({ status: "Failure", message: error instanceof Error ? error.message : String(error), reason: "InternalError" });
  }
}
