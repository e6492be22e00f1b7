#!/usr/bin/env node
// Load-tests GET /api/v1/projects/:id/findings?state=overdue&limit=50 with autocannon at a
// fixed rate against the real server on 127.0.0.1, over one project of 100,000 stored
// findings. Run `npm run build` first; for PostgreSQL, source the env file that
// `.ci/services.sh` writes.
// Usage: node bench/overdue.mjs [runs] [seconds] [backend...]
//   (default 3 runs of 20 s at 200 requests/s on pglite and postgres; medians are reported)
// The findings come from ten 10,000-vulnerability Trivy reports posted through the API into
// ten images. The server stamps first-seen times with its own clock, so nothing can be
// backdated: with the default policy only critical findings are overdue at once. A second
// pass puts every deadline at 0 hours through PUT /sla-policy, so all counted findings are.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { pacedLoad } from './lib-pace.mjs';
import { buildTrivyReport } from './lib-trivy.mjs';
import { median, realBackends, startServer } from './lib-server.mjs';

const runs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 20);
const requested = process.argv.slice(4);
const backends =
  requested.length > 0 ? requested : ['pglite', ...(realBackends() ? ['postgres'] : [])];
const RATE = 200;
const TOOLS = ['autocannon', 'paced'];
// With 50 connections, autocannon keeps the offered rate while latencies stay under 250 ms.
const CONNECTIONS = 50;
const IMAGES = 10;
const VULNERABILITIES = 10_000;
const ALL_DUE_AT_ONCE = {
  deadlines: { critical: 0, high: 0, medium: 0, low: 0, info: null },
  dueSoonRatio: 0.25,
  reopenRestartsClock: true,
  countWithoutFix: true,
};

async function seed(client, project) {
  const token = await client.createToken([project.id], ['scans:write', 'findings:read']);
  for (let index = 0; index < IMAGES; index++) {
    const image = `bench/service-${index}`;
    const report = buildTrivyReport({
      vulnerabilityCount: VULNERABILITIES,
      image,
      seed: index + 1,
    });
    const path = `/api/v1/projects/${project.id}/scans?image=${encodeURIComponent(image)}`;
    const response = await client.call('POST', path, { body: JSON.stringify(report), token });
    if (response.json.scan.newCount !== VULNERABILITIES)
      throw new Error(`image ${image} stored ${response.json.scan.newCount} findings`);
  }
  return token;
}

/** Counts overdue findings by paging with limit=200, for at most 501 pages. */
async function countOverdue(client, projectId, token) {
  let count = 0;
  let cursor;
  for (let page = 0; page <= (IMAGES * VULNERABILITIES) / 200; page++) {
    const query = `state=overdue&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { json } = await client.call('GET', `/api/v1/projects/${projectId}/findings?${query}`, {
      token,
    });
    count += json.items.length;
    cursor = json.nextCursor;
    if (!cursor) break;
  }
  return count;
}

/** CPU time the process has used, in milliseconds, from Linux's /proc/<pid>/stat. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the line, in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function load(tool, url, token, duration) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  if (tool === 'paced')
    return pacedLoad({ url, rate: RATE, seconds: duration, headers, sockets: CONNECTIONS });
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration,
    headers,
  });
  return {
    rate: result.requests.total / duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

/** Loads `url` with `tool` for `runs` timed runs after a 3-second warm-up and returns medians. */
async function measure(server, url, token, tool) {
  await load(tool, url, token, 3);
  const samples = [];
  for (let run = 1; run <= runs; run++) {
    const cpuBefore = cpuMs(server.pid);
    const result = await load(tool, url, token, seconds);
    const requests = result.requests ?? Math.round(RATE * seconds);
    const sample = {
      ...result,
      serverCpuMsPerRequest: (cpuMs(server.pid) - cpuBefore) / Math.max(requests, 1),
      loadAverage: loadavg()[0],
    };
    console.error(
      `  ${tool} run ${run}: ${sample.rate.toFixed(1)} req/s, p50 ${sample.p50.toFixed(1)} ms, p99 ${sample.p99.toFixed(1)} ms, max ${sample.max.toFixed(1)} ms, errors ${sample.errors}, server CPU ${sample.serverCpuMsPerRequest.toFixed(2)} ms/request, load ${sample.loadAverage.toFixed(1)}`,
    );
    samples.push(sample);
  }
  const summary = {};
  for (const key of ['rate', 'p50', 'p99', 'max', 'serverCpuMsPerRequest', 'loadAverage']) {
    summary[key] = Math.round(median(samples.map((sample) => sample[key])) * 100) / 100;
  }
  summary.errors = samples.reduce((total, sample) => total + sample.errors, 0);
  summary.met = summary.rate >= RATE * 0.98 && summary.p99 < 50 && summary.errors === 0;
  return summary;
}

async function benchmark(backend) {
  // Every request counts against both limits (600 per client and 1,200 per account per minute
  // by default), so both are raised above what 200 requests/s for a minute sends.
  const server = await startServer(backend, {
    INFRAPRIME_RATE_LIMIT_CLIENT: '1000000',
    INFRAPRIME_RATE_LIMIT_ACCOUNT: '1000000',
  });
  try {
    const { client } = server;
    const project = await client.createProject('overdue');
    const started = performance.now();
    const token = await seed(client, project);
    console.error(
      `${backend}: seeded ${IMAGES * VULNERABILITIES} findings in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const url = `${server.baseUrl}/api/v1/projects/${project.id}/findings?state=overdue&limit=50`;
    const result = { backend, runs, seconds, rate: RATE, connections: CONNECTIONS, scenarios: {} };

    // /health touches neither the database nor Redis, so its latency at the same rate is the
    // floor that the machine and the HTTP stack set.
    console.error(`${backend}, GET /health baseline`);
    result.scenarios['GET /health'] = {};
    for (const tool of TOOLS) {
      result.scenarios['GET /health'][tool] = await measure(
        server,
        `${server.baseUrl}/health`,
        null,
        tool,
      );
    }
    for (const scenario of ['default policy', 'all deadlines 0 h']) {
      if (scenario === 'all deadlines 0 h') {
        await client.call('PUT', `/api/v1/projects/${project.id}/sla-policy`, {
          body: ALL_DUE_AT_ONCE,
        });
      }
      const overdue = await countOverdue(client, project.id, token);
      console.error(`${backend}, ${scenario}: ${overdue} overdue findings`);
      result.scenarios[scenario] = { overdue };
      for (const tool of TOOLS)
        result.scenarios[scenario][tool] = await measure(server, url, token, tool);
    }
    const { peakRssMib } = await server.stop();
    return { ...result, serverPeakRssMib: peakRssMib };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const results = [];
for (const backend of backends) results.push(await benchmark(backend));
console.log(JSON.stringify(results, null, 2));
