// (c) Peak memory stays flat from a 10 MB to a 1 GB log: each size runs in a fresh process.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./log-memory-child.js", import.meta.url));
const MB = 1024 * 1024;

function measure(bytes) {
  return JSON.parse(execFileSync(process.execPath, [child, String(bytes)], { encoding: "utf8" }));
}

export async function benchLogMemory() {
  const small = measure(10 * MB);
  const large = measure(1024 * MB);
  const growth = (large.maxRss - small.maxRss) / MB;
  return {
    name: "(c) peak RSS, 10 MB log vs 1 GB log",
    lines: [
      `10 MB log: peak RSS ${(small.maxRss / MB).toFixed(1)} MB (${small.ms} ms)`,
      `1 GB log:  peak RSS ${(large.maxRss / MB).toFixed(1)} MB (${large.ms} ms, ${(1024 / (large.ms / 1000)).toFixed(0)} MB/s)`,
      `ratio 1 GB/10 MB: ${(large.maxRss / small.maxRss).toFixed(2)}; growth ${growth.toFixed(1)} MB (target: within 20 MB)`,
    ],
    pass: growth <= 20,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLogMemory();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
}
