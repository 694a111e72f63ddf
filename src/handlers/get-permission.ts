/**
 * Whether a user may run Eve commands on a repository: write, maintain or
 * admin permission, as GitHub says now (author_association only tells how
 * the author relates to the repository, not what they may do).
 */
import type { Context } from "probot";

export interface Permission {
  allowed: boolean;
  /** GitHub's role name (e.g. read, triage, write, maintain, admin, or a custom role), for the reply. */
  role: string;
  /** Maintain or admin: what `/eve promote` asks (a promoted tag's artifacts are kept forever). */
  maintainer: boolean;
}

const WRITE_ROLES = new Set(["write", "maintain", "admin"]);

export async function getPermission(context: Pick<Context, "octokit">, owner: string, repo: string, username: string): Promise<Permission> {
  try {
    const { data } = await context.octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    // `permission` is the legacy level (maintain → write, triage → read); a custom role
    // has its own `role_name` and the level of its base role in `permission`.
    const role = data.role_name || data.permission;
    return { allowed: WRITE_ROLES.has(data.permission) || WRITE_ROLES.has(data.role_name), role, maintainer: data.permission === "admin" || data.role_name === "maintain" || data.role_name === "admin" };
  } catch (error) {
    // Not a collaborator (or no such user): no permission.
    if ((error as { status?: number }).status === 404) return { allowed: false, role: "none", maintainer: false };
    throw error;
  }
}
