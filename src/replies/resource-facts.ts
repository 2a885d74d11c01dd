/** The facts `status` shows for a machine or a stack (SPEC §4), in order. */
import type { Resource } from '../../providers/types.ts';
import { statusWords } from './wording.ts';

export function resourceFacts(resource: Resource): [string, string][] {
  const facts: [string, string | undefined][] =
    resource.kind === 'machine'
      ? [
          ['Status', statusWords(resource.status, resource.providerStatus)],
          ['Provider', resource.provider],
          ['ID', resource.id],
          ['Public IPv4', resource.publicIpv4 ?? 'none'],
          ['Private IPv4', resource.privateIpv4 ?? 'none'],
          ['Region', resource.region],
          ['Size', resource.size],
          ['Created', resource.createdAt],
        ]
      : [
          ['Status', statusWords(resource.status, resource.providerStatus)],
          ['Environment', resource.environment],
          ['Provider', resource.provider],
          ['ID', resource.id],
          [
            'Last deployment',
            resource.lastDeployment
              ? [
                  resource.lastDeployment.outcome ?? 'running',
                  resource.lastDeployment.startedAt && `started ${resource.lastDeployment.startedAt}`,
                  resource.lastDeployment.finishedAt && `finished ${resource.lastDeployment.finishedAt}`,
                  resource.lastDeployment.triggeredBy && `by ${resource.lastDeployment.triggeredBy}`,
                  resource.lastDeployment.services?.length
                    ? `services ${resource.lastDeployment.services.join(', ')}`
                    : undefined,
                ]
                  .filter(Boolean)
                  .join(', ')
              : 'none',
          ],
        ];
  const details = Object.entries(resource.details ?? {});
  return [...facts, ...details].filter(
    (fact): fact is [string, string] => fact[1] !== undefined && fact[1] !== '',
  );
}
