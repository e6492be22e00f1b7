// An open-loop load generator that sends GET requests evenly spaced in time. autocannon's
// fixed-rate mode (8.0) lets each connection send its whole quota for a second at once and then
// wait for the next second, so its latencies measure how fast the server drains a burst. This
// generator measures latency at a steady rate instead.
import { Agent, request } from 'node:http';

function get(agent, url, headers) {
  return new Promise((resolve) => {
    const sent = performance.now();
    const req = request(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ ok: response.statusCode === 200, ms: performance.now() - sent }),
      );
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', () => resolve({ ok: false, ms: performance.now() - sent }));
    req.end();
  });
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/**
 * Sends `rate` requests per second to `url` for `seconds`, one every 1000/rate ms, over at most
 * `sockets` keep-alive connections. Latency counts from the scheduled send time, so a request
 * that waits for a free socket or a late timer counts that wait too.
 */
export async function pacedLoad({ url, rate, seconds, headers = {}, sockets = 50 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const pending = [];
  for (let index = 0; index < total; index++) {
    const due = start + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Node's timers work in whole milliseconds of a cached loop time and may fire up to 1 ms
    // early, so the rest of the wait yields to I/O until the scheduled time has passed.
    while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
    pending.push(
      get(agent, url, headers).then((result) => ({ ...result, ms: performance.now() - due })),
    );
  }
  const results = await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
  return {
    rate: results.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1],
    errors: results.filter((result) => !result.ok).length,
  };
}
