/**
 * `eve <command>`: dispatches to one module per command. Each command returns
 * its exit code; 2 always means the usage was wrong.
 */
import { UsageError } from "./usage-error.js";

interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  lint: {
    summary: "validate build files (default eve/main.yml)",
    run: async (args) => (await import("./lint-command.js")).lintCommand(args),
  },
  run: {
    summary: "run a build on this machine with the app's engine",
    run: async (args) => (await import("./run-command.js")).runCommand(args),
  },
  promote: {
    summary: "copy a build's artifacts to <prefix>promoted-<tag>, kept forever",
    run: async (args) => (await import("./promote-command.js")).promoteCommand(args),
  },
  reap: {
    summary: "remove containers and images that dead stage runs left behind",
    run: async (args) => (await import("./reap-command.js")).reapCommand(args),
  },
  worker: {
    summary: "run stages from the app's queues (scale out: one per machine, same Redis)",
    run: async (args) => (await import("./worker-command.js")).workerCommand(args),
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`eve: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`eve ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`);
  return `Usage: eve <command> [options]\n\nCommands:\n${lines.join("\n")}\n`;
}
