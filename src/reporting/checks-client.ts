/**
 * The few GitHub calls the check-run reporter makes, as an `@octokit/rest`
 * Octokit or a Probot installation client (`context.octokit`, `app.auth(id)`)
 * provides them: pass either as is. Small, so tests and other front ends can
 * supply their own.
 */
export interface ChecksClient {
  rest: {
    checks: {
      create(params: CheckRunCreateParams): Promise<ClientResponse<{ id: number }>>;
      update(params: CheckRunUpdateParams): Promise<ClientResponse<unknown>>;
    };
    repos: {
      createCommitStatus(params: CommitStatusParams): Promise<ClientResponse<unknown>>;
    };
  };
}

export interface ClientResponse<T> {
  data: T;
  headers: Record<string, string | number | undefined>;
}

// Type aliases, not interfaces: only they are assignable to Octokit's index-signed `RequestParameters`.
type RequestOptions = {
  request?: { signal?: AbortSignal };
};

export type CheckRunFields = {
  status?: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "neutral" | "failure" | "cancelled" | "skipped";
  external_id?: string;
  details_url?: string;
  started_at?: string;
  completed_at?: string;
  actions?: { label: string; description: string; identifier: string }[];
  output?: {
    title: string;
    summary: string;
    text?: string;
    annotations?: {
      path: string;
      start_line: number;
      end_line: number;
      start_column?: number;
      end_column?: number;
      annotation_level: "notice" | "warning" | "failure";
      message: string;
      title?: string;
    }[];
  };
};

export type CheckRunCreateParams = CheckRunFields &
  RequestOptions & {
    owner: string;
    repo: string;
    name: string;
    head_sha: string;
  };

export type CheckRunUpdateParams = CheckRunFields &
  RequestOptions & {
    owner: string;
    repo: string;
    check_run_id: number;
  };

export type CommitStatusParams = RequestOptions & {
  owner: string;
  repo: string;
  sha: string;
  state: "error" | "failure" | "pending" | "success";
  target_url?: string;
  description?: string;
  context?: string;
};
