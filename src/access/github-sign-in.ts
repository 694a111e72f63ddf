/**
 * GitHub's web flow for the App's user authorization: the reader is sent to
 * GitHub's authorize page, comes back with a code, which Eve exchanges (with
 * the App's client id and secret) for a user token, used once to ask
 * `GET /user` who the reader is. The token is not kept: permissions are asked
 * with the App's installation token. GHE: the web flow lives at the API root
 * without `/api/v3`, which @octokit/oauth-methods derives from the request's
 * base URL.
 */
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { request } from "@octokit/request";

/** The settings sign-in needs (EVE_GITHUB_CLIENT_ID, EVE_GITHUB_CLIENT_SECRET, EVE_SESSION_SECRET). */
export interface SignInSettings {
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
}

/** A GitHub user, as `GET /user` names them. */
export interface GitHubReader {
  login: string;
  id: number;
}

export function getAuthorizeUrl(settings: SignInSettings, githubApiUrl: string, redirectUrl: string, state: string): string {
  return getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: settings.clientId, redirectUrl, state, request: request.defaults({ baseUrl: githubApiUrl }) }).url;
}

export async function getReaderFromCode(settings: SignInSettings, githubApiUrl: string, redirectUrl: string, code: string): Promise<GitHubReader> {
  const api = request.defaults({ baseUrl: githubApiUrl });
  const { authentication } = await exchangeWebFlowCode({ clientType: "github-app", clientId: settings.clientId, clientSecret: settings.clientSecret, code, redirectUrl, request: api });
  const { data } = await api("GET /user", { headers: { authorization: `token ${authentication.token}` } });
  return { login: data.login, id: Number(data.id) };
}
