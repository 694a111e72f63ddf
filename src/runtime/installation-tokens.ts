/**
 * Installation tokens for checkouts and check-run writes (checks-http-client.ts):
 * minted by the app (its JWT) through the API root Eve is configured with,
 * GitHub Enterprise Server's too, and reused until shortly before they
 * expire. (An installation client's own `auth({ type: "installation" })`
 * asked api.github.com whatever GHE_HOST said.)
 */

/** The one call of the app's client (Probot's `app.auth()`) this needs. */
export interface AppTokenClient {
  rest: { apps: { createInstallationAccessToken(params: { installation_id: number }): Promise<{ data: { token: string; expires_at: string } }> } };
}

export interface InstallationTokens {
  get(installationId: number): Promise<string>;
}

/** A token this close to its expiry is not handed out: a checkout may take that long. */
const RENEW_BEFORE_MS = 10 * 60 * 1000;

export function createInstallationTokens(getAppClient: () => Promise<AppTokenClient>, onMinted: (token: string) => void, now: () => number = Date.now): InstallationTokens {
  const tokens = new Map<number, Promise<{ token: string; expiresAt: number }>>();
  const mint = async (installationId: number) => {
    const { data } = await (await getAppClient()).rest.apps.createInstallationAccessToken({ installation_id: installationId });
    onMinted(data.token);
    return { token: data.token, expiresAt: Date.parse(data.expires_at) };
  };
  return {
    async get(installationId) {
      const cached = await tokens.get(installationId)?.catch(() => undefined);
      if (cached && cached.expiresAt - now() > RENEW_BEFORE_MS) return cached.token;
      const minting = mint(installationId);
      tokens.set(installationId, minting);
      minting.catch(() => tokens.delete(installationId));
      return (await minting).token;
    },
  };
}
