import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  corpusAvailable,
  createPostgresDatabase,
  JUICE_SHOP,
  PASSWORD,
  readJson,
  TEST_ENV,
} from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'infraprime.js');

/** Reports whether dist/ is older than a source file of the server or its commands. */
function distIsStale(): boolean {
  const built = join(ROOT, 'dist', 'server', 'app.js');
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return true;
  }
  const sources = readdirSync(join(ROOT, 'src', 'server'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, 'src', 'server', file));
  sources.push(join(ROOT, 'src', 'cli', 'commands', 'serve.ts'));
  return sources.some((file) => statSync(file).mtimeMs > builtAt);
}

const STALE = distIsStale();
if (STALE) console.warn('process tests skipped: dist/ is older than src/; run `npm run build`');

/** Builds the environment of every child: fast password hashing and no real services. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_ENV, NO_COLOR: '1', ...extra };
  if (!('DATABASE_URL' in extra)) delete env.DATABASE_URL;
  if (!('REDIS_URL' in extra)) delete env.REDIS_URL;
  return env;
}

function runCli(args: string[], input?: string, env?: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: childEnv(env),
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

interface Served {
  child: ChildProcess;
  url: string;
  lines: Array<Record<string, unknown>>;
  exit: Promise<number | null>;
}

/** Starts `infraprime serve` on a free loopback port and waits until it listens. */
function serve(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir],
    { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Array<Record<string, unknown>> = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        if (line.msg === 'server listening') {
          resolve({ child, url: line.url as string, lines, exit });
        }
      }
    });
    exit.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

async function loginOver(url: string, email: string) {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, 'x-csrf-token': csrfToken };
}

async function createProject(url: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/api/v1/projects`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ slug: 'shop', name: 'Shop' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

function uploadScan(url: string, headers: Record<string, string>, projectId: string) {
  return fetch(`${url}/api/v1/projects/${projectId}/scans`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(readJson(JUICE_SHOP)),
  });
}

describe.skipIf(STALE)('infraprime commands', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'infraprime-cli-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an admin from standard input', () => {
    const args = ['users', 'create', '--admin', '--email', 'admin@example.test'];
    const result = runCli([...args, '--data', dataDir], `${PASSWORD}\n`);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^created admin admin@example\.test \(/);
    const again = runCli([...args, '--data', dataDir], `${PASSWORD}\n`);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it.skipIf(!existsSync('/usr/bin/script'))('prompts without echo on a terminal', async () => {
    // script(1) runs the command on a pseudo-terminal, so stdin is a TTY as for a person.
    const command = `${process.execPath} ${BIN} users create --email tty@example.test --data ${dataDir}`;
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env: childEnv() });
    let output = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => (output.includes(text) ? resolve() : setTimeout(check, 20));
        check();
      });
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exit = new Promise((resolve) => child.on('exit', resolve));
    await waitFor('Password: ');
    child.stdin.write(`${PASSWORD}\r`);
    await waitFor('Repeat the password: ');
    child.stdin.write(`${PASSWORD}\r`);
    expect(await exit).toBe(0);
    expect(output).toMatch(/created viewer tty@example\.test/);
    expect(output).not.toContain(PASSWORD);
  });

  it('rejects a short password', () => {
    const args = ['users', 'create', '--email', 'short@example.test', '--data', dataDir];
    const result = runCli(args, 'short\n');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/at least 12 characters/);
  });

  it('reports migrations as applied', () => {
    const migrate = runCli(['db', 'migrate', '--data', dataDir]);
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/is up to date/);
    const status = runCli(['db', 'status', '--data', dataDir]);
    expect(status.stdout).toBe(
      'applied  001_initial\napplied  002_scan_dedupe_per_image\napplied  003_findings_by_due_time\n',
    );
  });

  it('serve exits when required TLS is missing', async () => {
    const { createServer } = await import('node:net');
    const stub = createServer((socket) => socket.once('data', () => socket.end('N')));
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const port = (stub.address() as { port: number }).port;
    try {
      const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
          env: childEnv({
            DATABASE_URL: `postgres://app:pw@127.0.0.1:${port}/app?sslmode=require`,
          }),
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('exit', (status) => resolve({ status, stderr }));
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/does not accept TLS connections/);
      expect(result.stderr).not.toMatch(/bug in InfraPrime/);
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
  });

  it('serve exits when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = String((holder.address() as { port: number }).port);
    try {
      const args = ['serve', '--host', '127.0.0.1', '--port', port, '--data', dataDir];
      const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { env: childEnv() });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('exit', (status) => resolve({ status, stderr }));
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/the address is in use/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('rejects a data folder in use by serve', async () => {
    const server = await serve(dataDir);
    try {
      const pid = String(server.child.pid);
      const args = ['users', 'create', '--email', 'locked@example.test', '--data', dataDir];
      const create = runCli(args, `${PASSWORD}\n`);
      expect(create.status).toBe(2);
      expect(create.stdout).toBe('');
      expect(create.stderr).toContain(`infraprime serve (pid ${pid})`);
      expect(create.stderr).toMatch(/help: stop/);
      for (const command of ['migrate', 'status']) {
        const db = runCli(['db', command, '--data', dataDir]);
        expect(db.status).toBe(2);
        expect(db.stderr).toContain(`pid ${pid}`);
      }
      const second = runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir]);
      expect(second.status).toBe(2);
      expect(second.stderr).toContain(`pid ${pid}`);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
    const after = runCli(['db', 'status', '--data', dataDir]);
    expect(after.status).toBe(0);
  });

  it.skipIf(!corpusAvailable)('finishes an in-flight upload on SIGTERM', async () => {
    const server = await serve(dataDir);
    const headers = await loginOver(server.url, 'admin@example.test');
    const projectId = await createProject(server.url, headers);
    const upload = uploadScan(server.url, headers, projectId);
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.child.kill('SIGTERM');
    const response = await upload;
    expect(response.status).toBe(201);
    expect(await server.exit).toBe(0);
    const messages = server.lines.map((line) => line.msg);
    expect(messages).toContain('server stopping');
    expect(messages.indexOf('database and store closed')).toBeGreaterThan(
      messages.indexOf('server stopping'),
    );
    expect(messages.at(-1)).toBe('server stopped');
  });
});

const REAL_SERVICES =
  !!process.env.INFRAPRIME_TEST_DATABASE_URL && !!process.env.INFRAPRIME_TEST_REDIS_URL;

const KILL_TARGETS = REAL_SERVICES ? ['pglite', 'postgres'] : ['pglite'];

describe.skipIf(STALE || !corpusAvailable).each(KILL_TARGETS)(
  'SIGKILL during ingest on %s',
  (target) => {
    let dataDir: string;
    let running: Served | undefined;
    let env: NodeJS.ProcessEnv = {};
    let dropDatabase = async () => {};

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'infraprime-kill-'));
      if (target === 'postgres') {
        const database = await createPostgresDatabase();
        env = { DATABASE_URL: database.url };
        dropDatabase = database.drop;
      }
      const args = ['users', 'create', '--admin', '--email', 'admin@example.test'];
      expect(runCli([...args, '--data', dataDir], `${PASSWORD}\n`, env).status).toBe(0);
    });

    afterAll(async () => {
      running?.child.kill('SIGKILL');
      await running?.exit;
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('leaves either the whole report or nothing', async () => {
      const first = await serve(dataDir, env);
      running = first;
      const headers = await loginOver(first.url, 'admin@example.test');
      const projectId = await createProject(first.url, headers);
      const upload = uploadScan(first.url, headers, projectId).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 400));
      first.child.kill('SIGKILL');
      await first.exit;
      await upload;

      const second = await serve(dataDir, env);
      running = second;
      const again = await loginOver(second.url, 'admin@example.test');
      const base = `${second.url}/api/v1/projects/${projectId}`;
      const scans = (await (await fetch(`${base}/scans`, { headers: again })).json()) as {
        items: Array<{ findingCount: number }>;
      };
      const findings = (await (
        await fetch(`${base}/findings?limit=200`, { headers: again })
      ).json()) as { items: unknown[] };
      expect(scans.items.length).toBeLessThanOrEqual(1);
      const stored = scans.items[0]?.findingCount ?? 0;
      expect(findings.items.length).toBe(stored);

      const retry = await uploadScan(second.url, again, projectId);
      expect(retry.status).toBe(scans.items.length === 1 ? 200 : 201);
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    });
  },
);

describe.skipIf(STALE || !REAL_SERVICES)('serve with PostgreSQL and Redis', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let dataDir: string;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'infraprime-real-'));
  });

  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses DATABASE_URL and REDIS_URL over TLS', async () => {
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: process.env.INFRAPRIME_TEST_REDIS_URL,
      INFRAPRIME_REDIS_CA_FILE: process.env.INFRAPRIME_TEST_CA_FILE,
    };
    const created = runCli(
      ['users', 'create', '--admin', '--email', 'admin@example.test'],
      `${PASSWORD}\n`,
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);

    const server = await serve(dataDir, env);
    const opened = server.lines.find((line) => line.msg === 'database opened');
    expect(opened?.driver).toBe('postgres');
    expect(server.lines.some((line) => line.msg === 'redis connected')).toBe(true);
    expect(JSON.stringify(server.lines)).not.toContain(new URL(database.url).password);

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    await loginOver(server.url, 'admin@example.test');
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });
});
