import { readFileSync } from 'node:fs';
import type { Severity } from '../../finding/finding.js';
import {
  emptyStateCounts,
  type GateEntry,
  type GateReason,
  type GateResult,
} from '../../vulns/gate.js';
import type { FindingState } from '../../vulns/types.js';
import { UsageError } from '../errors.js';

/** A finding as the console's findings API returns it, reduced to what the gate needs. */
interface ServerFinding {
  vulnId: string;
  packageName: string;
  installedVersion: string;
  fixedVersion: string | null;
  hasFix: boolean;
  severity: Severity;
  state: FindingState;
  status: 'open' | 'fixed';
  dueAt: string | null;
  imageRepository: string;
  firstSeenAt: string;
  reopenedAt: string | null;
  acceptedUntil: string | null;
}

interface ServerOptions {
  server: string;
  project?: string;
}

const OPEN_STATES = 'within_sla,due_soon,overdue,accepted';
/** Bounds the pages read, so a server that keeps returning cursors cannot loop the gate. */
const MAX_PAGES = 1000;

/**
 * Stores the report on the console, then gates on the findings the console now holds for the
 * image, with the project's own SLA policy and acceptances.
 */
export async function gateThroughServer(
  reportPath: string,
  image: string,
  options: ServerOptions,
): Promise<GateResult> {
  const token = process.env.INFRAPRIME_TOKEN;
  if (!token) {
    throw new UsageError(
      'INFRAPRIME_TOKEN is not set',
      'create an API token in the console with scans:write and findings:read, and export it as INFRAPRIME_TOKEN',
    );
  }
  if (!options.project) {
    throw new UsageError('--server needs --project', 'pass the console project id with --project');
  }
  const base = new URL(`/api/v1/projects/${encodeURIComponent(options.project)}/`, options.server);
  const headers = { authorization: `Bearer ${token}` };

  await request(new URL(`scans?image=${encodeURIComponent(image)}`, base), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: readFileSync(reportPath),
  });
  const findings = await readOpenFindings(base, image, headers);
  return gateOnServerFindings(findings);
}

async function readOpenFindings(
  base: URL,
  image: string,
  headers: Record<string, string>,
): Promise<ServerFinding[]> {
  const findings: ServerFinding[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL('findings', base);
    url.searchParams.set('image', image);
    url.searchParams.set('state', OPEN_STATES);
    url.searchParams.set('limit', '200');
    if (cursor) url.searchParams.set('cursor', cursor);
    const body = (await request(url, { headers })) as {
      items: ServerFinding[];
      nextCursor: string | null;
    };
    findings.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return findings;
  }
  throw new Error(
    `the console returned more than ${MAX_PAGES} pages of findings; this is a bug in InfraPrime`,
  );
}

/** Applies the gate's rule to findings whose state the console has already computed. */
export function gateOnServerFindings(findings: ServerFinding[]): GateResult {
  const counts = emptyStateCounts();
  const blocking: GateEntry[] = [];
  let uncounted = 0;
  for (const finding of findings) {
    counts[finding.state] += 1;
    // The console gives no deadline to a finding its policy does not count.
    if (finding.dueAt === null && !finding.hasFix && finding.state !== 'accepted') {
      uncounted += 1;
      continue;
    }
    const reasons: GateReason[] = [];
    if (finding.state === 'overdue') reasons.push('overdue');
    if (finding.severity === 'critical' && finding.state !== 'accepted') reasons.push('critical');
    if (reasons.length === 0) continue;
    blocking.push({
      finding: {
        ...finding,
        imageRepository: finding.imageRepository,
        firstSeenAt: new Date(finding.firstSeenAt),
        reopenedAt: finding.reopenedAt ? new Date(finding.reopenedAt) : null,
        acceptedUntil: finding.acceptedUntil ? new Date(finding.acceptedUntil) : null,
      },
      state: finding.state,
      dueAt: finding.dueAt ? new Date(finding.dueAt) : null,
      reasons,
    });
  }
  return { passed: blocking.length === 0, blocking, uncounted, counts };
}

async function request(url: URL, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new UsageError(
      `cannot reach the console at ${url.origin} (${cause})`,
      'check --server and that the console is running',
    );
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text.slice(0, 300);
    try {
      const problem = JSON.parse(text) as { code?: string; detail?: string; title?: string };
      detail = `${problem.code ?? response.status}: ${problem.detail ?? problem.title ?? ''}`;
    } catch {
      // Not a problem+json body; the start of the text is shown as it is.
    }
    throw new UsageError(
      `the console rejected ${init.method ?? 'GET'} ${url.pathname} with ${response.status} (${detail})`,
      response.status === 401 || response.status === 403
        ? 'check that INFRAPRIME_TOKEN is valid and allowed scans:write and findings:read on this project'
        : 'check --project and the report',
    );
  }
  return JSON.parse(text);
}
