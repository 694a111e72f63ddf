import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nunjucks from "nunjucks";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderPodTemplate } from "./render-pod-template.js";
import { renderInSandbox, type RenderResult } from "./render-in-sandbox.js";

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, "../../../test/fixtures/pod-templates", name), "utf8");
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

  it("renders a Docker-in-Docker builder: dashed image names, default(), an init container", () => {
    const result = renderInSandbox(fixture("dind-builder.yaml"), { images: { worker: "registry.local/w:1", "docker-builder": "registry.local/dind:2" }, vars: { memory: "3Gi" } });

    const pod = podOf(result);
    expect(pod.metadata.name).toBe("dind-builder");
    expect(pod.spec.initContainers.map((c) => c.image)).toEqual(["registry.local/w:1"]);
    expect(pod.spec.containers.map((c) => [c.name, c.image, c.resources?.limits?.memory])).toEqual([
      ["worker", "registry.local/w:1", "3Gi"],
      ["dind-daemon", "registry.local/dind:2", "2Gi"],
    ]);
    expect(pod.spec.containers[1]?.securityContext).toEqual({ privileged: true });
  });

  it("renders env from vars.env.items(), optional sidecars and nested vars", () => {
    const vars = { memory: "1Gi", env: { PROFILE: "CI", S3DATA: "multiple", TOKEN: "t0k" }, redis: "enabled", s3: { memory: "2Gi" } };

    const pod = podOf(renderInSandbox(fixture("services-from-vars.yaml"), { images: { worker: "w:1", s3: "s3:1" }, vars }));

    expect(pod.spec.containers.map((c) => c.name)).toEqual(["worker", "redis", "s3"]);
    expect(pod.spec.containers[0]?.env).toEqual([
      { name: "CI", value: "true" },
      { name: "PROFILE", value: "ci" },
      { name: "PROFILE", value: "CI" },
      { name: "S3DATA", value: "multiple" },
      { name: "TOKEN", value: "t0k" },
    ]);
    expect(pod.spec.containers[1]?.image).toBe("redis:7");
    expect(pod.spec.containers[2]?.env).toEqual([
      { name: "S3_LOCATION_FILE", value: "/conf/locations.json" },
      { name: "S3BACKEND", value: "mem" },
    ]);
    expect(pod.spec.containers[2]?.resources?.limits?.memory).toBe("2Gi");
  });

  it("leaves out the optional sidecars when their vars are not set", () => {
    const pod = podOf(renderInSandbox(fixture("services-from-vars.yaml"), { images: { worker: "w:1" }, vars: { memory: "1Gi", env: {} } }));

    expect(pod.spec.containers.map((c) => c.name)).toEqual(["worker"]);
    expect(pod.spec.containers[0]?.env).toEqual([
      { name: "CI", value: "true" },
      { name: "PROFILE", value: "default" },
    ]);
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
    ["a huge output", `{% for a in range(2000) %}{% for b in range(10) %}${"x".repeat(100)}{% endfor %}{% endfor %}`, "larger than 1048576 bytes"],
  ])("stops %s", async (_name, template, message) => {
    // Only the renders that must be stopped by the clock get a short limit: a busy machine may take a while to start the renderer.
    const timeoutMs = message.startsWith("took longer") ? 1_500 : 20_000;

    const result = await renderPodTemplate(template, { images: {}, vars: {} }, { timeoutMs, maxHeapMb: 64 });

    expect(result.ok ? "" : result.message).toContain(message);
  });
});

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
  resources?: { limits?: { memory?: string } };
  securityContext?: unknown;
}

/** The parsed pod of a successful render. */
function podOf(result: RenderResult): { metadata: { name: string }; spec: { containers: Container[]; initContainers: Container[] } } {
  if (!result.ok) throw new Error(result.message);
  return parse(result.text) as ReturnType<typeof podOf>;
}
