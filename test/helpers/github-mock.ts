/**
 * The ONE place tests use nock (STYLE.md §6). It stands in for GitHub's REST API
 * and checks every request body Eve sends against GitHub's own OpenAPI
 * description (the subset in test/fixtures/github-openapi-subset.json, made by
 * scripts/extract-openapi-schemas.js: add an operation there to mock it here).
 *
 * API:
 *   const github = mockGitHub();                          // https://api.github.com
 *   const ghe = mockGitHub({ baseUrl: "http://ghe.test/api/v3" });  // GitHub Enterprise Server
 *   github.on("checks/create", { status: 201, body: { id: 7 } });  // once
 *   github.on("checks/update", (req) => ({ status: 200, body: { id: Number(req.params.check_run_id) } }), { times: 3 });
 *   github.on("repos/get-content", { body: {...} }, { persist: true, params: { path: "eve/main.yml" } });
 *   ...exercise code...
 *   github.requests / github.requestsFor("checks/update")  // { operation, method, path, params, query, body, headers }
 *   github.assertDone();   // throws on: a request that matched no mock, a body GitHub's schema rejects, an unused mock (not `optional`)
 *   github.close();        // in afterEach: removes every interceptor, re-enables network
 *   validateGitHubBody("checks/update", body)  // without HTTP: the ajv error text, or undefined when GitHub accepts it
 *   github.onWebFlowCode({ clientId, clientSecret, code, token })  // the OAuth web flow's code exchange, once
 *
 * While a mock is open, network access is disabled except to 127.0.0.1 / localhost
 * (Redis, local servers). A body that fails the schema is answered 422 (as GitHub
 * would) and fails assertDone() with the ajv error.
 * `params` given to on() must all equal the request's path parameters to match.
 * A reply is { status?, body?, headers? } or a function of the request returning one;
 * default 200 with {} (201 for POST).
 */
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import nock from "nock";
import { readFileSync } from "node:fs";

interface OperationSpec {
  method: string;
  path: string;
  requestBody: object | null;
}

const subset = JSON.parse(readFileSync(new URL("../fixtures/github-openapi-subset.json", import.meta.url), "utf8")) as {
  operations: Record<string, OperationSpec>;
};

export type GitHubOperation = keyof typeof subset.operations & string;

export interface RecordedRequest {
  operation: string;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

export interface MockResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type MockReply = MockResponse | ((request: RecordedRequest) => MockResponse);

export interface InterceptOptions {
  times?: number;
  persist?: boolean;
  /** assertDone does not ask for it to be used: a request that may or may not come (timing). */
  optional?: boolean;
  /** Path parameters that must match, e.g. { owner: "scality", check_run_id: "7" }. */
  params?: Record<string, string>;
}

/** What GitHub's OAuth web flow accepts and answers for one code. */
export interface WebFlowCode {
  clientId: string;
  clientSecret: string;
  code: string;
  /** The user access token GitHub answers with. */
  token: string;
}

export interface GitHubMock {
  on(operation: string, reply?: MockReply, options?: InterceptOptions): GitHubMock;
  /**
   * POST <web root>/login/oauth/access_token, the web flow's code exchange. It
   * is not in the REST API's OpenAPI description: its body is checked as
   * GitHub's documentation states it (client_id, client_secret and code
   * required; redirect_uri, repository_id and code_verifier optional; nothing
   * else); a wrong id, secret or code
   * gets GitHub's 200 with `error: bad_verification_code`.
   */
  onWebFlowCode(expected: WebFlowCode): GitHubMock;
  readonly requests: readonly RecordedRequest[];
  requestsFor(operation: string): RecordedRequest[];
  assertDone(): void;
  close(): void;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validators = new Map<string, ValidateFunction>();

function validatorFor(operation: string, spec: OperationSpec): ValidateFunction | undefined {
  if (spec.requestBody === null) return undefined;
  let validate = validators.get(operation);
  if (!validate) {
    validate = ajv.compile(spec.requestBody);
    validators.set(operation, validate);
  }
  return validate;
}

/** Starts intercepting GitHub at `baseUrl` (default https://api.github.com). */
export function mockGitHub(options: { baseUrl?: string } = {}): GitHubMock {
  const base = new URL(options.baseUrl ?? "https://api.github.com");
  const prefix = base.pathname.replace(/\/$/, "");
  const scopes: { scope: nock.Scope; label: string }[] = [];
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const unmatched = (req: { method?: string; path?: string; href?: string }) => {
    // Local servers (Redis, the test's own HTTP server) pass through: not GitHub.
    if (/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(req.href ?? "")) return;
    problems.push(`unmatched request: ${req.method ?? "?"} ${req.href ?? req.path ?? "?"}`);
  };

  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  nock.emitter.on("no match", unmatched);

  const mock: GitHubMock = {
    on(operation, reply = {}, intercept = {}) {
      const spec = subset.operations[operation];
      if (!spec) throw new Error(`unknown GitHub operation ${operation}: add it to scripts/extract-openapi-schemas.js`);
      const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      const pattern = new RegExp(`^${escapeRegExp(prefix)}${spec.path.replace(/\{\w+\}/g, "([^/?]+)")}(\\?.*)?$`);
      const paramsOf = (uri: string): Record<string, string> | undefined => {
        const match = pattern.exec(uri);
        if (!match) return undefined;
        return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]));
      };
      const matches = (uri: string) => {
        const params = paramsOf(uri);
        return params !== undefined && Object.entries(intercept.params ?? {}).every(([k, v]) => params[k] === v);
      };
      // One scope per mock: nock's persist() is per scope.
      const scope = nock(base.origin);
      if (intercept.persist) scope.persist();
      if (!intercept.optional) scopes.push({ scope, label: `${operation}${intercept.params ? ` ${JSON.stringify(intercept.params)}` : ""}` });
      const interceptor = scope.intercept(matches, spec.method);
      if (!intercept.persist && intercept.times !== undefined) interceptor.times(intercept.times);
      const validate = validatorFor(operation, spec);
      interceptor.reply(function (uri, rawBody) {
        const url = new URL(uri, base.origin);
        const body = parseBody(rawBody);
        const request: RecordedRequest = {
          operation,
          method: spec.method,
          path: url.pathname,
          params: paramsOf(uri) ?? {},
          query: url.searchParams,
          body,
          headers: this.req.headers,
        };
        requests.push(request);
        const invalid = checkBody(operation, validate, body);
        if (invalid) {
          problems.push(invalid);
          return [422, { message: "Validation Failed", errors: [invalid] }];
        }
        const response = typeof reply === "function" ? reply(request) : reply;
        return [response.status ?? (spec.method === "POST" ? 201 : 200), (response.body ?? {}) as nock.Body, response.headers ?? {}];
      });
      return mock;
    },
    onWebFlowCode(expected) {
      // github.com for api.github.com; GHE's web root is its API root without /api/v3.
      const web = base.hostname === "api.github.com" ? "https://github.com" : `${base.origin}${prefix.replace(/\/api\/v3$/, "")}`;
      const scope = nock(web);
      scopes.push({ scope, label: "oauth/access-token" });
      scope.post(`${new URL(web).pathname.replace(/\/$/, "")}/login/oauth/access_token`).reply(function (uri, rawBody) {
        const body = parseBody(rawBody) as Record<string, unknown> | undefined;
        requests.push({ operation: "oauth/access-token", method: "POST", path: uri, params: {}, query: new URLSearchParams(), body, headers: this.req.headers });
        const keys = Object.keys(body ?? {});
        const unknown = keys.filter((key) => !["client_id", "client_secret", "code", "redirect_uri", "repository_id", "code_verifier"].includes(key));
        const missing = ["client_id", "client_secret", "code"].filter((key) => typeof body?.[key] !== "string");
        if (unknown.length > 0 || missing.length > 0) {
          problems.push(`oauth/access-token body rejected: unknown ${unknown.join(", ") || "-"}, missing ${missing.join(", ") || "-"}`);
          return [422, { message: "Validation Failed" }];
        }
        if (body?.client_id !== expected.clientId || body.client_secret !== expected.clientSecret || body.code !== expected.code) {
          return [200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." }];
        }
        return [200, { access_token: expected.token, token_type: "bearer", scope: "" }];
      });
      return mock;
    },
    get requests() {
      return requests;
    },
    requestsFor(operation) {
      return requests.filter((r) => r.operation === operation);
    },
    assertDone() {
      const unused = scopes.filter(({ scope }) => !scope.isDone()).map(({ label }) => `unused mock: ${label}`);
      const all = [...problems, ...unused];
      if (all.length > 0) throw new Error(`GitHub mock:\n  ${all.join("\n  ")}`);
    },
    close() {
      nock.emitter.removeListener("no match", unmatched);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
  return mock;
}

/** Checks a request body against GitHub's schema for `operation`: the error text, or undefined when valid. */
export function validateGitHubBody(operation: string, body: unknown): string | undefined {
  const spec = subset.operations[operation];
  if (!spec) throw new Error(`unknown GitHub operation ${operation}: add it to scripts/extract-openapi-schemas.js`);
  return checkBody(operation, validatorFor(operation, spec), body);
}

function checkBody(operation: string, validate: ValidateFunction | undefined, body: unknown): string | undefined {
  if (!validate) return body === undefined ? undefined : `${operation} takes no body, got ${JSON.stringify(body).slice(0, 200)}`;
  // No body is GitHub's `{}`: fine when the schema requires nothing (e.g. creating an installation token).
  if (body === undefined && !((validate.schema as { required?: unknown[] }).required ?? []).length) return undefined;
  if (validate(body)) return undefined;
  return `${operation} body rejected by GitHub's schema: ${ajv.errorsText(validate.errors, { dataVar: "body" })}`;
}

function parseBody(raw: nock.Body): unknown {
  if (raw === "" || raw === undefined) return undefined;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
