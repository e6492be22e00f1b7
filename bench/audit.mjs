#!/usr/bin/env node
// Benchmarks `infraprime audit` against dockerfilelint on the same files in the same run, and
// the whole-corpus and one-project wall times and peak memory. Run `npm run build` first.
// Usage: node bench/audit.mjs [runs]   (default 7 runs; medians are reported)
// The two tools' runs alternate, so a change in machine load affects both alike. The copies
// live in the system's temporary folder, outside any git work tree.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, '..');
const corpus = join(project, '..', 'shared', 'corpus', 'awesome-compose');
const work = join(tmpdir(), 'infraprime-bench');
const runs = Number(process.argv[2] ?? 7);
const REPLICAS_TARGET = 3500;

if (!existsSync(corpus)) {
  console.error(`corpus not found at ${corpus}; the benchmark needs ../shared/corpus/awesome-compose`);
  process.exit(2);
}

function listFiles(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...listFiles(path));
    else found.push(path);
  }
  return found;
}

/** Copies the corpus's Dockerfiles round robin into REPLICAS_TARGET folders of one file each. */
function replicateDockerfiles() {
  const sources = listFiles(corpus).filter((path) => /(^|\/)Dockerfile[^/]*$/i.test(path));
  const target = join(work, 'dockerfiles');
  rmSync(target, { recursive: true, force: true });
  const files = [];
  let bytes = 0;
  for (let index = 0; index < REPLICAS_TARGET; index++) {
    const source = sources[index % sources.length];
    const folder = join(target, `d${String(index).padStart(4, '0')}`);
    mkdirSync(folder, { recursive: true });
    const destination = join(folder, 'Dockerfile');
    copyFileSync(source, destination);
    bytes += statSync(destination).size;
    files.push(destination);
  }
  return { target, files, bytes, sources: sources.length };
}

/** Runs a command once under /usr/bin/time; returns wall seconds and peak RSS in MB. */
function measureOnce(command, args, anyStatus = false) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // dockerfilelint exits with its count of problems, so only a crash counts for it.
  if (anyStatus ? result.signal !== null : result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.slice(0, 3).join(' ')} exited ${result.status}: ${result.stderr.slice(-500)}`);
  }
  const lines = result.stderr.trim().split('\n');
  return { seconds, rssMb: Number(lines[lines.length - 1]) / 1024 };
}

/** Runs each measurement `runs` times, taking turns; returns medians and minimums. */
function alternate(measurements) {
  const samples = measurements.map(() => []);
  for (let run = 0; run < runs; run++) {
    measurements.forEach((measureRun, index) => samples[index].push(measureRun()));
  }
  return samples.map(summarize);
}

function summarize(samples) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const seconds = samples.map((sample) => sample.seconds);
  return {
    seconds: median(seconds),
    min: Math.min(...seconds),
    rssMb: median(samples.map((sample) => sample.rssMb)),
  };
}

function measure(command, args) {
  return alternate([() => measureOnce(command, args)])[0];
}

const bin = join(project, 'bin', 'infraprime.js');
const dockerfilelint = join(project, 'node_modules', 'dockerfilelint', 'bin', 'dockerfilelint');
const replicated = replicateDockerfiles();
const megabytes = replicated.bytes / 1024 / 1024;

const oursArgs = [bin, 'audit', replicated.target, '--format', 'json', '-o', '/dev/null'];
const peerArgs = [dockerfilelint, '-j', ...replicated.files];
const floorArgs = [join(here, 'read-floor.mjs'), replicated.target];
const [ours, peer, twoThreads, floor] = alternate([
  () => measureOnce(process.execPath, oursArgs),
  () => measureOnce(process.execPath, peerArgs, true),
  () => measureOnce(process.execPath, [...oursArgs, '--threads', '2']),
  () => measureOnce(process.execPath, floorArgs),
]);
const whole = measure(process.execPath, [bin, 'audit', corpus, '--format', 'json', '-o', '/dev/null']);
const one = measure(process.execPath, [bin, 'audit', join(corpus, 'nginx-golang-postgres'), '--format', 'json', '-o', '/dev/null']);
const nodeStart = measure(process.execPath, ['-e', '0']);

const row = (name, m, files, mb) =>
  `| ${name} | ${m.seconds.toFixed(3)} | ${m.min.toFixed(3)} | ${files ? Math.round(files / m.seconds) : '-'} | ${mb ? (mb / m.seconds).toFixed(2) : '-'} | ${m.rssMb.toFixed(0)} |`;

console.log(`node ${process.version}, ${runs} runs each, ${replicated.files.length} Dockerfiles (${megabytes.toFixed(2)} MB) copied from ${replicated.sources} corpus Dockerfiles\n`);
console.log('| command | median s | min s | files/s | MB/s | peak RSS MB |');
console.log('| --- | --- | --- | --- | --- | --- |');
console.log(row('infraprime audit, 3,500 Dockerfiles, all rules', ours, replicated.files.length, megabytes));
console.log(row('infraprime audit, same files, --threads 2', twoThreads, replicated.files.length, megabytes));
console.log(row('dockerfilelint -j, same files', peer, replicated.files.length, megabytes));
console.log(row('walk and read the same files only (bench/read-floor.mjs)', floor, replicated.files.length, megabytes));
console.log(row('infraprime audit, whole awesome-compose corpus', whole));
console.log(row('infraprime audit, nginx-golang-postgres', one));
console.log(row('node -e 0 (start-up alone)', nodeStart));
console.log(`\nratio dockerfilelint / infraprime on the same files: ${(peer.seconds / ours.seconds).toFixed(2)}x`);
console.log(`time left for parsing and rules at 2x, after the walk and read: ${((peer.seconds / 2 - floor.seconds) * 1000).toFixed(0)} ms`);
