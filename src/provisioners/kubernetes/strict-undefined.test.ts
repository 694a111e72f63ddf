import { describe, expect, it } from "vitest";
import { renderInSandbox } from "./render-in-sandbox.js";

const input = { images: { worker: "registry/worker:1" }, vars: { cpu: "500m", sidecars: [{ name: "db" }], env: { A: "1" } } };
const render = (template: string): string => {
  const result = renderInSandbox(template, input);
  return result.ok ? result.text : result.message;
};

describe("undefined names in pod templates, as Jinja2's StrictUndefined", () => {
  it.each([
    ["concatenated", "image: {{ vars.registry ~ '/worker:1' }}", "line 1, column 15: 'vars.registry' is undefined"],
    ["added", "image: {{ 'r/' + images.builder }}", "line 1, column 24: 'images.builder' is undefined"],
    ["filtered", "cpu: {{ vars.cpus | upper }}", "line 1, column 13: 'vars.cpus' is undefined"],
    ["looped over", "{% for s in vars.sidecar %}- {{ s.name }}{% endfor %}", "line 1, column 17: 'vars.sidecar' is undefined"],
    ["tested for truth", "{% if vars.debug %}debug{% endif %}", "line 1, column 11: 'vars.debug' is undefined"],
    ["a missing key of a loop item", "{% for s in vars.sidecars %}{{ s.image }}{% endfor %}", "line 1, column 33: 's.image' is undefined"],
    ["below an undefined member", "{{ vars.envs.A is defined }}", "line 1, column 8: 'vars.envs' is undefined"],
    ["a bracket key", "{{ images['docker-builder'] }}", "line 1, column 10: 'images[\"docker-builder\"]' is undefined"],
  ])("is an error naming it when %s", (_, template, message) => {
    expect(render(template)).toBe(`template error: ${message}`);
  });

  it("stays allowed where Jinja2 allows it: is defined, default, and defined values", () => {
    const template = "{{ vars.nope is defined }} {{ vars.nope | default('1Gi') }} {{ vars.nope | d(vars.cpu) }} {{ 'x' if vars.nope is undefined }} {{ images.worker }} {% for k, v in vars.env.items() %}{{ k }}={{ v }}{% endfor %} {{ vars.env.get('B', 'b') }}";

    expect(render(template)).toBe("false 1Gi 500m x registry/worker:1 A=1 b");
  });
});
