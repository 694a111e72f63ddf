/**
 * A Keystone v3 session: a token (password or application credential), its
 * catalog, and authenticated requests to the catalog's services. The token is
 * renewed before it expires and once more when a service answers 401. The
 * only module that sends credentials; no error message quotes them.
 */
import type { OpenStackSettings } from "./openstack-settings.js";

/** Renew this long before Keystone's expiry (at most half the token's life), so no request carries a token that dies on the way. */
const RENEW_MARGIN_MS = 60_000;
/** One API call's time limit: a cloud that stops answering is a failure, not a hang. */
const REQUEST_TIMEOUT_MS = 60_000;

/** Compute microversion Eve speaks: tags on create and in list filters (2.52, Queens and later). */
export const COMPUTE_MICROVERSION = "2.52";

export type ServiceType = "compute" | "image";

/** An OpenStack API answered with an error (or could not be reached: status 0). */
export class OpenStackApiError extends Error {
  override readonly name = "OpenStackApiError";
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export class KeystoneSession {
  readonly #settings: OpenStackSettings;
  #token: { value: string; renewAt: number; catalog: CatalogEntry[] } | undefined;
  #pending: Promise<void> | undefined;

  constructor(settings: OpenStackSettings) {
    this.#settings = settings;
  }

  /** Sends a request to a service of the catalog; 401 once renews the token and retries. Throws OpenStackApiError on 4xx/5xx. */
  async request(service: ServiceType, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#validToken();
      const base = this.#endpoint(token.catalog, service);
      const headers: Record<string, string> = { "X-Auth-Token": token.value, Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (service === "compute") headers["OpenStack-API-Version"] = `compute ${COMPUTE_MICROVERSION}`;
      const response = await send(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, `${service} ${method} ${path}`);
      if (response.status === 401 && attempt === 1) {
        this.#token = undefined;
        continue;
      }
      const parsed = await readBody(response);
      if (response.status >= 400) throw new OpenStackApiError(`${service} ${method} ${path}: ${response.status} ${faultMessage(parsed)}`, response.status);
      return { status: response.status, body: parsed };
    }
  }

  async #validToken(): Promise<{ value: string; catalog: CatalogEntry[] }> {
    while (!this.#token || this.#token.renewAt <= Date.now()) {
      this.#pending ??= this.#authenticate().finally(() => (this.#pending = undefined));
      await this.#pending;
    }
    return this.#token;
  }

  async #authenticate(): Promise<void> {
    const { authUrl, credentials } = this.#settings;
    if (!credentials) throw new OpenStackApiError("no OpenStack credentials are set", 0);
    const identity =
      credentials.kind === "password"
        ? { methods: ["password"], password: { user: { name: credentials.username, domain: credentials.userDomain, password: credentials.password } } }
        : {
            methods: ["application_credential"],
            application_credential:
              credentials.id === undefined
                ? { name: credentials.name, secret: credentials.secret, user: { name: credentials.username, domain: credentials.userDomain } }
                : { id: credentials.id, secret: credentials.secret },
          };
    // An application credential carries its own project: no scope.
    const scope = credentials.kind === "password" ? { scope: { project: credentials.project } } : {};
    const response = await send(
      `${authUrl}/auth/tokens`,
      { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ auth: { identity, ...scope } }) },
      "Keystone authentication",
    );
    const parsed = await readBody(response);
    const value = response.headers.get("x-subject-token");
    if (response.status !== 201 || !value) throw new OpenStackApiError(`Keystone authentication at ${authUrl} failed: ${response.status} ${faultMessage(parsed)}`, response.status);
    const token = (parsed as { token?: { expires_at?: string; catalog?: CatalogEntry[] } }).token;
    const now = Date.now();
    const expiresAt = Date.parse(token?.expires_at ?? "");
    const lifetime = Number.isFinite(expiresAt) ? Math.max(0, expiresAt - now) : RENEW_MARGIN_MS * 2;
    this.#token = { value, renewAt: now + lifetime - Math.min(RENEW_MARGIN_MS, lifetime / 2), catalog: token?.catalog ?? [] };
  }

  #endpoint(catalog: CatalogEntry[], service: ServiceType): string {
    const { region } = this.#settings;
    const endpoints = catalog.filter((entry) => entry.type === service).flatMap((entry) => entry.endpoints);
    const found = endpoints.find((e) => e.interface === this.#settings.interface && (region === undefined || e.region_id === region || e.region === region));
    if (!found) throw new OpenStackApiError(`the cloud's catalog has no ${this.#settings.interface} ${service} endpoint${region === undefined ? "" : ` in region ${region}`}`, 0);
    // Glance's catalog URL is its root; Nova's already names its version.
    return found.url.replace(/\/+$/, "") + (service === "image" && !/\/v2(\.\d+)?$/.test(found.url.replace(/\/+$/, "")) ? "/v2" : "");
  }
}

async function send(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new OpenStackApiError(`${what}: the cloud did not answer (${error instanceof Error ? error.message : String(error)})`, 0, { cause: error });
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 500);
  }
}

/** The message of an OpenStack error body: `{"<kind>": {"message": …}}` (Nova), `{"error": {"message": …}}` (Keystone). */
export function faultMessage(body: unknown): string {
  if (typeof body === "string") return body;
  if (body && typeof body === "object") {
    for (const value of Object.values(body)) {
      if (value && typeof value === "object" && typeof (value as { message?: unknown }).message === "string") return (value as { message: string }).message;
    }
    if (typeof (body as { message?: unknown }).message === "string") return (body as { message: string }).message;
  }
  return "";
}
