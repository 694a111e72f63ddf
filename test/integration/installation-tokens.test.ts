/**
 * Checkouts' installation tokens against a GitHub Enterprise Server layout
 * (the HTTP stand-in, /api/v3): minted by the app's client at the configured
 * API root, reused while they have time left, minted again near expiry.
 */
import { generateKeyPairSync } from "node:crypto";
import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { type AppTokenClient, createInstallationTokens } from "../../src/runtime/installation-tokens.js";
import { type GitHubStandIn, startGitHubStandIn } from "../helpers/github-stand-in.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
let github: GitHubStandIn | undefined;

afterEach(async () => {
  await github?.close();
});

describe("installation tokens for checkouts", () => {
  it("are minted at the configured API root, reused, and minted again near expiry", async () => {
    github = await startGitHubStandIn({ buildFile: "version: 0.2\n", token: "ghs_from_the_enterprise_server" });
    const probot = new Probot({ appId: 1, privateKey, baseUrl: `http://${github.host}/api/v3` });
    const minted: string[] = [];
    let clock = Date.now();
    const tokens = createInstallationTokens(async () => (await probot.auth()) as unknown as AppTokenClient, (token) => minted.push(token), () => clock);
    const mints = () => (github as GitHubStandIn).requests.filter((r) => r.method === "POST" && r.path === "/app/installations/7/access_tokens").length;

    expect(await tokens.get(7)).toBe("ghs_from_the_enterprise_server");
    expect(await tokens.get(7)).toBe("ghs_from_the_enterprise_server");
    expect(mints()).toBe(1);
    expect(minted).toEqual(["ghs_from_the_enterprise_server"]);

    // The stand-in's tokens live an hour: 55 minutes later one is minted anew.
    clock += 55 * 60 * 1000;
    await tokens.get(7);
    expect(mints()).toBe(2);
  });
});
