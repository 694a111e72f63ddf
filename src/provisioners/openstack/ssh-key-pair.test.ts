import { utils } from "ssh2";
import { describe, expect, it } from "vitest";
import { generateSshKeyPair } from "./ssh-connection.js";

describe("generateSshKeyPair", () => {
  // ssh2 alone draws a malformed pair about once in 256 (its public key loses a leading zero byte): in 2,000
  // draws that is all but certain, and sshd would refuse such a key.
  it("gives only well-formed ed25519 pairs: a 32-byte public key, both halves readable", () => {
    for (let i = 0; i < 2000; i++) {
      const pair = generateSshKeyPair("eve-test");
      const parsed = utils.parseKey(pair.public);
      if (parsed instanceof Error || utils.parseKey(pair.private) instanceof Error) throw new Error(`malformed pair: ${pair.public}`);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      expect(key?.getPublicSSH().length).toBe(4 + "ssh-ed25519".length + 4 + 32);
      expect(pair.public).toMatch(/^ssh-ed25519 \S+ eve-test$/);
    }
  });
});
