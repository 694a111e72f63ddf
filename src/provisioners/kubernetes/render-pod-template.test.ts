import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nunjucks from "nunjucks";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderPodTemplate } from "./render-pod-template.js";
import { renderInSandbox } from "./render-in-sandbox.js";

const CORPUS = "../shared/corpus/eve-workers";
const canaryDir = mkdtempSync(join(tmpdir(), "eve-canary-"));
afterAll(() => rmSync(canaryDir, { recursive: true, force: true }));

/** Code that leaves a file behind if it ever runs on the host. */
function payload(canary: string): string {
  return `process.getBuiltinModule('fs').writeFileSync('${canary}', 'ran')`;
}

describe("renderPodTemplate", () => {
  it("renders the Jinja2 features Eve's templates use", async () => {
    const template = [
      "image: {{ images.worker }} {{ images['docker-builder'] }}",
      "name: {{ name | default('fallback') }}",
      "{% for key, value in vars.env.items() %}{{ key }}={{ value }};{% endfor %}",
      "{% if vars.redis is defined and vars.redis == 'enabled' -%} redis {%- endif %}",
      "{% if vars.vault is defined %}vault{% endif %}",
      "{{ vars.env.get('A') }} {{ vars.env.get('Z', 'none') }} {{ ' Mixed '.strip().lower() }} {{ vars.list | join(',') }}",
    ].join("\n");

    const result = await renderPodTemplate(template, { images: { worker: "r/w:1", "docker-builder": "r/b:2" }, vars: { env: { A: "1", B: "two" }, redis: "enabled", list: [1, 2] } });

    expect(result).toEqual({ ok: true, text: "image: r/w:1 r/b:2\nname: fallback\nA=1;B=two;\nredis\n\n1 none mixed 1,2" });
  });

  it("makes undefined values an error, as StrictUndefined", async () => {
    const result = await renderPodTemplate("memory: {{ vars.memory }}", { images: {}, vars: {} });

    expect(result.ok ? "" : result.message).toBe("template error: line 1, column 16: 'vars.memory' is undefined");
  });

  it("renders every pod template of the corpus", async () => {
    const files = readdirSync(CORPUS).filter((f) => /(pod|worker|doc-builder).*\.ya?ml$/.test(f) || /_(worker|zenko).*\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(27);
    for (const file of files) {
      const source = readFileSync(join(CORPUS, file), "utf8");
      const result = renderInSandbox(source, inputFor(source));
      expect(result.ok ? "ok" : `${file}: ${result.message}`).toBe("ok");
      if (!result.ok) continue;
      const pod = parse(result.text) as { kind: string; spec: { containers: unknown[] } };
      expect([file, pod.kind]).toEqual([file, "Pod"]);
      expect(pod.spec.containers.length).toBeGreaterThan(0);
    }
  });

  // Each of these runs code on the host, or reads it, under a plain nunjucks environment.
  const hostile: [string, (canary: string) => string, string][] = [
    ["string constructor", (c) => `{{ "".constructor.constructor("${payload(c)}")() }}`, "the member 'constructor' is not allowed"],
    ["range global", (c) => `{{ range.constructor("${payload(c)}")() }}`, "the member 'constructor' is not allowed"],
    ["cycler global", (c) => `{{ cycler.constructor("${payload(c)}")() }}`, "the member 'constructor' is not allowed"],
    ["joiner global", (c) => `{{ joiner().constructor.constructor("${payload(c)}")() }}`, "the member 'constructor' is not allowed"],
    ["bare constructor name", (c) => `{{ constructor.constructor("${payload(c)}")() }}`, "the name 'constructor' is not allowed"],
    ["__proto__ walk", (c) => `{{ vars.__proto__.constructor.constructor("${payload(c)}")() }}`, "the member '__proto__' is not allowed"],
    ["computed key", (c) => `{% set k = "constr" ~ "uctor" %}{{ ""[k][k]("${payload(c)}")() }}`, "a member lookup needs a literal key"],
    ["bracket key", (c) => `{{ ""["constructor"]["constructor"]("${payload(c)}")() }}`, "the member 'constructor' is not allowed"],
    ["filter by name", (c) => `{{ "${payload(c)}" | constructor }}`, "the filter 'constructor' is not allowed"],
    ["test by name", () => `{% if 1 is constructor %}x{% endif %}`, "the test 'is constructor' is not allowed"],
    ["call on data", () => `{{ vars.env.toString() }}`, "the member 'toString' is not allowed"],
    ["any call", () => `{{ cycler(1, 2) }}`, "only range() and the methods"],
    ["include a host file", () => `{% include "/etc/passwd" %}`, "{% include %} is not allowed"],
    ["import", () => `{% import "/etc/hostname" as h %}`, "{% import %} is not allowed"],
    ["extends", () => `{% extends "/etc/hostname" %}`, "{% extends %} is not allowed"],
    ["macro", () => `{% macro m() %}x{% endmacro %}{{ m.constructor }}`, "{% macro %} is not allowed"],
    ["regex literal", () => `{{ r/(a+)+$/ }}`, "regular expressions (r/…/) are not allowed"],
    ["dict literal proto key", () => `{% set d = {"__proto__": vars} %}`, "the key '__proto__' is not allowed"],
    ["join attribute", () => `{{ ["a"] | join(",", "len" ~ "gth") }}`, "join() with an attribute is not allowed"],
  ];

  it.each(hostile)("refuses a hostile template: %s", async (_name, template, message) => {
    const canary = join(canaryDir, `${_name.replaceAll(" ", "-")}`);

    const result = await renderPodTemplate(template(canary), { images: {}, vars: { env: {} } });

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
    expect(existsSync(canary)).toBe(false);
  });

  it("the canary payload does run code under plain nunjucks (the hostile cases are real)", () => {
    const canary = join(canaryDir, "control");

    nunjucks.renderString(`{{ "".constructor.constructor("${payload(canary)}")() }}`, {});

    expect(readFileSync(canary, "utf8")).toBe("ran");
  });

  it.each([
    ["a long range", "{% for i in range(1000000000) %}x{% endfor %}", "range() of 1000000000 numbers is above the limit of 10000"],
    ["nested loops", "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}{% endfor %}{% endfor %}{% endfor %}", "took longer than 1500 ms"],
    ["an exploding list", "{% set a = [1] %}{% for i in range(40) %}{% set a = [a, a] %}{% endfor %}{{ a }}", "took longer than 1500 ms"],
    ["a huge output", `{% for a in range(10000) %}{% for b in range(10) %}${"x".repeat(100)}{% endfor %}{% endfor %}`, "larger than 1048576 bytes"],
  ])("stops %s fast", async (_name, template, message) => {
    const started = Date.now();

    const result = await renderPodTemplate(template, { images: {}, vars: {} }, { timeoutMs: 1_500, maxHeapMb: 64 });

    expect(result.ok ? "" : result.message).toContain(message);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

/** images and vars for a corpus template: every name it mentions, with plausible values. */
function inputFor(source: string): { images: Record<string, string>; vars: Record<string, unknown> } {
  const images: Record<string, string> = {};
  for (const m of source.matchAll(/images(?:\.(\w+)|\[['"]([^'"]+)['"]\])/g)) {
    const name = m[1] ?? m[2] ?? "";
    images[name] = `registry.local/eve/${name}:0123abcd`;
  }
  const vars: Record<string, unknown> = { env: { CI_PROXY: "false", S3DATA: "multiple", S3METADATA: "mongodb" }, redis: "enabled", vault: "enabled" };
  for (const m of source.matchAll(/vars\.(\w+)/g)) {
    const name = m[1] ?? "";
    if (!(name in vars)) vars[name] = /mem/i.test(name) ? "1Gi" : "value";
  }
  return { images, vars };
}
