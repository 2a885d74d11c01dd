/**
 * The `tickets:` section of cloudmaster.yml: where **Create ticket** opens an
 * issue — GitHub (github.com or GitHub Enterprise) or Azure DevOps Boards.
 * One system at a time. Tokens are written as `${ENV_NAME}` (checked by the
 * loader, which also registers them for redaction).
 *
 *     tickets:
 *       github:
 *         owner: acme
 *         repo: ops
 *         token: ${GITHUB_TOKEN}
 *         labels: [outage]
 */
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const githubSchema = z.strictObject({
  owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, 'must be a GitHub user or organization name'),
  repo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a repository name'),
  token: z.string().min(1),
  labels: z.array(z.string().min(1)).default(['outage']),
  /** The REST API root: GitHub Enterprise Server's is https://HOST/api/v3. */
  endpoint: httpUrl.default('https://api.github.com'),
});

const azureDevopsSchema = z.strictObject({
  /** The organization URL, https://dev.azure.com/ORG (or an Azure DevOps Server collection URL). */
  organization: httpUrl,
  project: z.string().min(1),
  /** "Issue" exists in the Basic, Agile and CMMI processes; Scrum teams write "Bug". */
  workItemType: z.string().min(1).default('Issue'),
  token: z.string().min(1),
  tags: z.array(z.string().min(1)).default(['outage']),
  areaPath: z.string().min(1).optional(),
});

export type GithubTickets = z.infer<typeof githubSchema> & {
  readonly system: 'github';
  /** The environment variable holding the token, named (never shown) in errors. */
  readonly tokenVariable?: string;
};
export type AzureDevopsTickets = z.infer<typeof azureDevopsSchema> & {
  readonly system: 'azure-devops';
  readonly tokenVariable?: string;
};
export type TicketSettings = GithubTickets | AzureDevopsTickets;

/** The config keys whose values are secrets, by path below `tickets`. */
export const TICKET_SECRET_PATHS = ['github.token', 'azureDevops.token'] as const;

export const ticketsSectionSchema = z
  .strictObject({ github: githubSchema.optional(), azureDevops: azureDevopsSchema.optional() })
  .transform((section, ctx): TicketSettings => {
    if (section.github && section.azureDevops) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'configure one ticket system: github or azureDevops, not both',
      });
      return z.NEVER;
    }
    if (section.github) return { system: 'github', ...section.github };
    if (section.azureDevops) return { system: 'azure-devops', ...section.azureDevops };
    ctx.addIssue({ code: 'custom', path: [], message: 'needs github or azureDevops' });
    return z.NEVER;
  });
