#!/usr/bin/env node
// Times POST /api/v1/projects/:id/scans of a synthetic 10,000-vulnerability Trivy report
// against the real server (`node bin/infraprime.js serve`) on 127.0.0.1. Run `npm run build`
// first; for PostgreSQL, source the env file that `.ci/services.sh` writes.
// Usage: node bench/ingest.mjs [runs] [backend...]   (default 5 runs; pglite and postgres)
// Each run posts into a project of its own, so the first post is a real insert of every
// finding. The database keeps the earlier runs' projects, so later runs see a fuller table.
// One warm-up run before the timed ones is not counted.
import { buildTrivyReport } from './lib-trivy.mjs';
import { median, realBackends, startServer } from './lib-server.mjs';

const runs = Number(process.argv[2] ?? 5);
const requested = process.argv.slice(3);
const backends =
  requested.length > 0 ? requested : ['pglite', ...(realBackends() ? ['postgres'] : [])];
const VULNERABILITIES = 10_000;
const IMAGE = 'bench/app';

const report = JSON.stringify(
  buildTrivyReport({ vulnerabilityCount: VULNERABILITIES, image: IMAGE }),
);
// The same vulnerabilities in a later report: a new SHA-256, so the server reconciles it and
// updates every finding's last-seen time instead of returning the stored result.
const rescan = JSON.stringify(
  buildTrivyReport({
    vulnerabilityCount: VULNERABILITIES,
    image: IMAGE,
    createdAt: '2026-01-02T00:00:00Z',
  }),
);

async function timePost(client, path, body, token) {
  const started = performance.now();
  const response = await client.call('POST', path, { body, token });
  return {
    ms: performance.now() - started,
    status: response.status,
    scan: response.json.scan,
    duplicate: response.json.duplicate,
  };
}

/** Posts the report, the identical report again, and the rescan into one fresh project. */
async function runOnce(client, project, token) {
  const path = `/api/v1/projects/${project.id}/scans?image=${encodeURIComponent(IMAGE)}`;
  const first = await timePost(client, path, report, token);
  if (first.status !== 201 || first.scan.newCount !== VULNERABILITIES) {
    throw new Error(
      `first post stored ${first.scan.newCount} new findings, expected ${VULNERABILITIES}`,
    );
  }
  const again = await timePost(client, path, report, token);
  if (again.status !== 200 || !again.duplicate)
    throw new Error('identical re-post was not a duplicate');
  const later = await timePost(client, path, rescan, token);
  if (
    later.status !== 201 ||
    later.scan.newCount !== 0 ||
    later.scan.findingCount !== VULNERABILITIES
  ) {
    throw new Error(`rescan changed the finding set: ${JSON.stringify(later.scan)}`);
  }
  return { insert: first.ms, duplicate: again.ms, rescan: later.ms };
}

async function benchmark(backend) {
  // Raised so that the runs never reach the rate limits, which count every request.
  const server = await startServer(backend, {
    INFRAPRIME_RATE_LIMIT_CLIENT: '100000',
    INFRAPRIME_RATE_LIMIT_ACCOUNT: '100000',
  });
  try {
    const projects = [];
    for (let index = 0; index <= runs; index++) {
      projects.push(await server.client.createProject(`ingest-${index}`));
    }
    const token = await server.client.createToken(
      projects.map((project) => project.id),
      ['scans:write'],
    );
    const samples = [];
    for (const [index, project] of projects.entries()) {
      const sample = await runOnce(server.client, project, token);
      const label = index === 0 ? 'warm-up' : `run ${index}`;
      console.error(
        `${backend} ${label}: insert ${sample.insert.toFixed(0)} ms, duplicate ${sample.duplicate.toFixed(0)} ms, rescan ${sample.rescan.toFixed(0)} ms`,
      );
      if (index > 0) samples.push(sample);
    }
    const result = { backend, runs, warmUp: 1 };
    for (const key of ['insert', 'duplicate', 'rescan']) {
      const values = samples.map((sample) => sample[key]);
      result[key] = {
        medianMs: Math.round(median(values)),
        minMs: Math.round(Math.min(...values)),
        maxMs: Math.round(Math.max(...values)),
      };
    }
    const { peakRssMib } = await server.stop();
    return { ...result, serverPeakRssMib: peakRssMib };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

console.error(
  `report: ${VULNERABILITIES} vulnerabilities, ${(report.length / 1e6).toFixed(1)} MB of JSON`,
);
const results = [];
for (const backend of backends) results.push(await benchmark(backend));
console.log(JSON.stringify(results, null, 2));
