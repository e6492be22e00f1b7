import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Repository root, two levels above this file. */
export const ROOT = join(import.meta.dirname, '..', '..');
export const DEPLOY = join(ROOT, 'deploy');

/** Returns the path of a program from PATH or a usual sbin folder, or undefined. */
export function findProgram(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', ...extraDirs];
  return dirs
    .filter((dir) => dir.startsWith('/'))
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

/**
 * Decides whether a suite that needs `program` runs. Outside CI a missing program skips the
 * suite with a message. Under `CI=true` the suite runs and its setup fails, so CI cannot pass
 * without the program.
 */
export function shouldSkip(program: string, path: string | undefined): boolean {
  if (path) return false;
  if (process.env.CI === 'true') return false;
  console.warn(
    `skipping the ${program} loopback tests: ${program} is not installed (run .ci/proof.sh)`,
  );
  return true;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // nginx and PostgreSQL drop root for their workers, which must reach files below this folder.
  chmodSync(dir, 0o755);
  return dir;
}

/** Issues the CA and service certificates with the built CLI, as a developer would. */
export function issueCertificates(outDir: string, extraArgs: string[] = []): void {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'infraprime.js'), 'certs', '--out', outDir, ...extraArgs],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`infraprime certs failed with exit ${result.status}: ${result.stderr}`);
  }
}

/** One textual substitution applied to a deploy/ configuration file. */
export type Substitution = [from: string | RegExp, to: string];

/**
 * Applies substitutions to a file's text and fails when one of them matches nothing, so that a
 * change in deploy/ cannot silently leave a container path or port in the loopback copy.
 */
export function substitute(text: string, substitutions: Substitution[], file: string): string {
  let result = text;
  for (const [from, to] of substitutions) {
    const matched = typeof from === 'string' ? result.includes(from) : from.test(result);
    if (!matched) throw new Error(`substitution ${String(from)} matches nothing in ${file}`);
    result =
      typeof from === 'string'
        ? result.split(from).join(to)
        : result.replace(
            new RegExp(from.source, from.flags.includes('g') ? from.flags : `${from.flags}g`),
            to,
          );
  }
  return result;
}

/**
 * Waits until `check` resolves true, polling every 100 ms. Fails after `timeoutMs`, or at once
 * when `process` exits first, with that process's output in the message.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  process?: Started,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    const child = process?.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `${what} exited with ${child.exitCode ?? child.signalCode}: ${process.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${what} did not become ready within ${timeoutMs} ms: ${process?.output() ?? ''}`,
  );
}

/** A child process with its collected output, for error messages. */
export interface Started {
  child: ChildProcess;
  output: () => string;
}

export function startProcess(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Started {
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output.slice(-4000) };
}

/** Sends SIGTERM to a process started by the test and waits for it to exit. */
export async function stopProcess(started: Started | undefined, timeoutMs = 10_000): Promise<void> {
  const child = started?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** What the copy of deploy/nginx changes besides paths. */
export interface NginxLoopback {
  /** Ports on 127.0.0.1 in place of the container's 8080, 8443 and 8081; omitted in a netns. */
  ports?: { http: number; https: number; health: number };
  /** Upstream `host:port` in place of `api:8080`; omitted where `api` resolves. */
  upstream?: string;
  certsDir: string;
}

/**
 * Copies deploy/nginx into `dir` and substitutes only paths and, when given, ports and the
 * upstream address, so that the real nginx loads the same configuration. Returns the main
 * file's path.
 */
export function prepareNginx(dir: string, loopback: NginxLoopback): string {
  const confDir = join(dir, 'nginx');
  const runDir = join(dir, 'run');
  mkdirSync(runDir, { recursive: true });
  chmodSync(runDir, 0o755);
  cpSync(join(DEPLOY, 'nginx'), confDir, { recursive: true });
  // mime.types comes from the nginx image; the Debian package installs the same file.
  copyFileSync('/etc/nginx/mime.types', join(confDir, 'mime.types'));

  const common: Substitution[] = [[/\/etc\/nginx\//, `${confDir}/`]];
  const main: Substitution[] = [
    ['pid /tmp/nginx.pid;', `pid ${runDir}/nginx.pid;`],
    [/_temp_path \/tmp\//, `_temp_path ${runDir}/`],
    ['access_log /dev/stdout json_access;', `access_log ${dir}/access.log json_access;`],
  ];
  if (loopback.upstream) main.push(['server api:8080', `server ${loopback.upstream}`]);
  const servers: Substitution[] = [
    ['/run/secrets/nginx_tls_cert', join(loopback.certsDir, 'nginx.crt')],
    ['/run/secrets/nginx_tls_key', join(loopback.certsDir, 'nginx.key')],
  ];
  const ports = loopback.ports;
  if (ports) {
    servers.push(
      ['listen 8080 default_server;', `listen 127.0.0.1:${ports.http} default_server;`],
      [
        'listen 8443 ssl http2 default_server;',
        `listen 127.0.0.1:${ports.https} ssl http2 default_server;`,
      ],
      ['listen 127.0.0.1:8081;', `listen 127.0.0.1:${ports.health};`],
    );
  }

  const files: Record<string, Substitution[]> = {
    'nginx.conf': main,
    'conf.d/infraprime.conf': servers,
  };
  for (const [file, substitutions] of Object.entries(files)) {
    const path = join(confDir, file);
    writeFileSync(
      path,
      substitute(readFileSync(path, 'utf8'), [...common, ...substitutions], file),
    );
  }
  for (const snippet of readdirSync(join(confDir, 'snippets'))) {
    const path = join(confDir, 'snippets', snippet);
    const text = readFileSync(path, 'utf8');
    if (text.includes('/etc/nginx/')) writeFileSync(path, substitute(text, common, snippet));
  }
  return join(confDir, 'nginx.conf');
}
