/**
 * Which tracked incident a person means: the ref on its notice
 * ("github-3f9a2c"), SOURCE/KEY as buttons carry it
 * ("github/9yk7qwd5x3zl#1"), SOURCE/ID, or a bare key or source id when
 * only one source has it. Open incidents come before resolved ones of the
 * same id. Nothing found names the open incidents instead.
 */
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { suggest } from '../grammar/suggest.ts';
import { incidentPath, incidentRef } from './incident-ref.ts';
import type { SourceSnapshot, TrackedIncident } from './tracked.ts';

export interface FoundIncident {
  readonly source: string;
  readonly incident: TrackedIncident;
}

function isOpen(incident: TrackedIncident): boolean {
  return incident.resolvedAt === undefined;
}

/** Newest occurrence first, open before resolved. */
function preferred(a: FoundIncident, b: FoundIncident): number {
  return (
    Number(isOpen(b.incident)) - Number(isOpen(a.incident)) || b.incident.occurrence - a.incident.occurrence
  );
}

export function findIncident(words: string, snapshots: readonly SourceSnapshot[]): FoundIncident {
  const wanted = words.trim();
  const all: FoundIncident[] = snapshots.flatMap((snapshot) =>
    snapshot.incidents.map((incident) => ({ source: snapshot.source, incident })),
  );
  const lower = wanted.toLowerCase();
  const byRef = all.filter(({ source, incident }) => incidentRef(source, incident.key) === lower);
  if (byRef[0]) return byRef[0];
  const slash = wanted.indexOf('/');
  const named =
    slash > 0 && snapshots.some((snapshot) => snapshot.source === wanted.slice(0, slash))
      ? { source: wanted.slice(0, slash), rest: wanted.slice(slash + 1) }
      : undefined;
  const matches = all
    .filter(({ source, incident }) =>
      named
        ? source === named.source && (incident.key === named.rest || incident.id === named.rest)
        : incident.key === wanted || incident.id === wanted || incidentPath(source, incident.key) === wanted,
    )
    .sort(preferred);
  const sources = new Set(matches.map((match) => match.source));
  const [best] = matches;
  if (best && sources.size === 1) return best;
  if (best) {
    throw new CloudmasterError(ErrorCode.Ambiguous, `"${wanted}" names incidents on several status pages.`, {
      hint: 'Give the ref on the notice instead:',
      candidates: matches.map(({ source, incident }) => `${incidentRef(source, incident.key)} (${source})`),
    });
  }
  const open = all.filter(({ incident }) => isOpen(incident));
  const refs = open.map(({ source, incident }) => incidentRef(source, incident.key));
  const near = suggest(lower, refs);
  throw new CloudmasterError(ErrorCode.NotFound, `No tracked incident is "${wanted}".`, {
    hint:
      open.length === 0
        ? 'No incident is open on the watched status pages.'
        : near.length > 0
          ? 'Did you mean one of these?'
          : 'Open now (`outages` lists them):',
    candidates:
      near.length > 0
        ? near
        : open.map(({ source, incident }) => `${incidentRef(source, incident.key)} — ${incident.title}`),
  });
}
