/**
 * A double of GitHub's REST API for "create an issue"
 * (POST /repos/{owner}/{repo}/issues), checking what a real client must
 * send — the token, JSON, a title — and answering as GitHub does: the issue
 * with its number and html_url, or GitHub's error bodies (401 Bad
 * credentials, 403, 404 Not Found, 410 issues disabled, 422 Validation
 * Failed). It serves both github.com's layout and Enterprise's /api/v3.
 */
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';
import { Faults, jsonErrors } from './faults.ts';
import { ProviderDouble } from './provider-double.ts';

const DOCS = 'https://docs.github.com/rest/issues/issues#create-an-issue';

export interface DoubleIssue {
  readonly number: number;
  readonly owner: string;
  readonly repo: string;
  readonly title: string;
  readonly body: string | null;
  readonly labels: readonly string[];
}

export interface GithubDoubleOptions {
  readonly token?: string;
  /** Repositories that exist, "owner/repo"; the token can write to them unless listed in `readOnly`. */
  readonly repositories?: readonly string[];
  readonly readOnly?: readonly string[];
  readonly issuesDisabled?: readonly string[];
  /** Label names GitHub will not accept (it creates other missing labels). */
  readonly badLabels?: readonly string[];
}

function githubError(response: ServerResponse, status: number, message: string, extra: object = {}): void {
  json(
    response,
    status,
    {
      message,
      documentation_url: status === 401 ? 'https://docs.github.com/rest' : DOCS,
      status: String(status),
      ...extra,
    },
    { 'X-GitHub-Request-Id': 'C3A1:2F7B:9E1D2A:A41C3B:6650F1E2' },
  );
}

export class GithubDouble extends ProviderDouble {
  readonly token: string;
  readonly issues: DoubleIssue[] = [];
  protected readonly faults = new Faults(jsonErrors(() => ({ message: 'Server Error' })));
  private readonly options: Required<GithubDoubleOptions>;
  private nextNumber = 128;

  private constructor(options: GithubDoubleOptions) {
    super();
    this.options = {
      token: 'github_pat_11ABCDEFG0123456789_testtokenvalue',
      repositories: ['acme/ops'],
      readOnly: [],
      issuesDisabled: [],
      badLabels: [],
      ...options,
    };
    this.token = this.options.token;
  }

  static async start(options: GithubDoubleOptions = {}): Promise<GithubDouble> {
    const double = new GithubDouble(options);
    await double.listen();
    return double;
  }

  /** The REST root for github.com's layout. */
  get url(): string {
    return this.root;
  }

  /** The REST root as GitHub Enterprise Server lays it out. */
  get enterpriseUrl(): string {
    return `${this.root}/api/v3`;
  }

  protected handle(request: RecordedRequest, response: ServerResponse): void {
    const refused = this.refusal(request);
    if (refused) {
      const [status, message, extra] = refused;
      githubError(response, status, message, extra);
      return;
    }
    const [owner, repo] = (this.repositoryOf(request) ?? '/').split('/') as [string, string];
    const body = request.body as { title: string; body?: unknown; labels?: unknown };
    const issue: DoubleIssue = {
      number: this.nextNumber++,
      owner,
      repo,
      title: body.title,
      body: typeof body.body === 'string' ? body.body : null,
      labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
    };
    this.issues.push(issue);
    json(response, 201, this.issueBody(issue), {
      Location: `${this.root}/repos/${owner}/${repo}/issues/${issue.number}`,
      'X-GitHub-Request-Id': 'C3A1:2F7B:9E1D2A:A41C3C:6650F1E3',
      'X-RateLimit-Limit': '5000',
      'X-RateLimit-Remaining': '4987',
    });
  }

  private repositoryOf(request: RecordedRequest): string | undefined {
    const path = request.url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const match = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(path);
    return match ? `${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}` : undefined;
  }

  /** Why GitHub would refuse this request, in its status and words; undefined when it would not. */
  private refusal(request: RecordedRequest): [number, string, object?] | undefined {
    const auth = request.headers.authorization ?? '';
    // Octokit sends "token …" for a personal access token; GitHub takes "Bearer …" alike.
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) return [401, 'Bad credentials'];
    const repository = this.repositoryOf(request);
    if (!repository || request.method !== 'POST' || !this.options.repositories.includes(repository))
      return [404, 'Not Found'];
    if (this.options.readOnly.includes(repository))
      return [403, 'Resource not accessible by personal access token'];
    if (this.options.issuesDisabled.includes(repository)) return [410, 'Issues are disabled for this repo'];
    if (
      !String(request.headers['content-type']).startsWith('application/json') ||
      typeof request.body !== 'object'
    )
      return [400, 'Problems parsing JSON'];
    const body = request.body as { title?: unknown; labels?: unknown };
    if (typeof body.title !== 'string' || body.title === '')
      return [422, 'Invalid request.\n\n"title" wasn\'t supplied.'];
    const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
    const bad = labels.find((label) => this.options.badLabels.includes(label));
    if (bad !== undefined)
      return [
        422,
        'Validation Failed',
        { errors: [{ value: bad, resource: 'Label', field: 'name', code: 'invalid' }] },
      ];
    return undefined;
  }

  private issueBody(issue: DoubleIssue): Record<string, unknown> {
    const api = `https://api.github.com/repos/${issue.owner}/${issue.repo}`;
    const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      url: `${api}/issues/${issue.number}`,
      repository_url: api,
      labels_url: `${api}/issues/${issue.number}/labels{/name}`,
      comments_url: `${api}/issues/${issue.number}/comments`,
      events_url: `${api}/issues/${issue.number}/events`,
      html_url: `https://github.com/${issue.owner}/${issue.repo}/issues/${issue.number}`,
      id: 2_400_000_000 + issue.number,
      node_id: `I_kwDOLx${issue.number}Zm9v`,
      number: issue.number,
      title: issue.title,
      user: { login: 'cloudmaster-bot', id: 170_001, node_id: 'U_kgDOCiJx', type: 'User', site_admin: false },
      labels: issue.labels.map((name, index) => ({
        id: 6_800_000_000 + index,
        node_id: `LA_kwDOLx${index}`,
        url: `${api}/labels/${encodeURIComponent(name)}`,
        name,
        color: 'd73a4a',
        default: false,
        description: null,
      })),
      state: 'open',
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: 0,
      created_at: created,
      updated_at: created,
      closed_at: null,
      author_association: 'NONE',
      active_lock_reason: null,
      body: issue.body,
      closed_by: null,
      reactions: { url: `${api}/issues/${issue.number}/reactions`, total_count: 0 },
      timeline_url: `${api}/issues/${issue.number}/timeline`,
      state_reason: null,
    };
  }
}
