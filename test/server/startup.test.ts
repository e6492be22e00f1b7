import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openBackends } from '../../src/server/backends.js';
import { loadConfig } from '../../src/server/config.js';
import {
  ABANDONED_AFTER_MS,
  DataFolderLockedError,
  LOCK_FILE,
  lockDataFolder,
} from '../../src/server/db/data-lock.js';
import { openPglite } from '../../src/server/db/pglite-driver.js';
import { openPostgres } from '../../src/server/db/postgres-driver.js';
import { realBackendsMissingUnderCi } from './helpers.js';

/** Starts a TCP server that replies `N` to PostgreSQL's SSLRequest, which means no TLS. */
async function startPlainPostgresStub(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.once('data', () => socket.end('N'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { server, port: address.port };
}

/** Returns a loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const { server, port } = await startPlainPostgresStub();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('database and cache startup', () => {
  let stub: { server: Server; port: number };

  beforeAll(async () => {
    stub = await startPlainPostgresStub();
  });

  afterAll(async () => {
    await new Promise((resolve) => stub?.server.close(resolve));
  });

  it('has PostgreSQL and Redis under CI', () => {
    expect(realBackendsMissingUnderCi()).toBe(false);
  });

  for (const mode of ['require', 'verify-ca', 'verify-full']) {
    it(`rejects sslmode=${mode} without server TLS`, async () => {
      const url = `postgres://app:secret@127.0.0.1:${stub.port}/app?sslmode=${mode}`;
      const opening = openPostgres(url);
      await expect(opening).rejects.toThrow(/does not accept TLS connections/);
      await expect(opening).rejects.toThrow(`sslmode=${mode}`);
      await expect(opening).rejects.not.toThrow(/secret/);
    });
  }

  it('rejects a URL that is not PostgreSQL', async () => {
    await expect(openPostgres('mysql://app@127.0.0.1/app')).rejects.toThrow(
      /must start with postgres:\/\//,
    );
  });

  it.skipIf(!process.env.INFRAPRIME_TEST_DATABASE_URL)(
    'rejects an unverifiable certificate',
    async () => {
      const url = new URL(process.env.INFRAPRIME_TEST_DATABASE_URL as string);
      url.searchParams.delete('sslrootcert');
      url.searchParams.set('sslmode', 'verify-full');
      await expect(openPostgres(url.toString())).rejects.toThrow(/sslrootcert/);
    },
  );

  it('reports an unreachable Redis', async () => {
    const port = await closedPort();
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}/0` }, {});
    config.dataDir = null;
    const log = pino({ level: 'silent' });
    await expect(openBackends(config, log)).rejects.toThrow(/cannot use Redis at 127.0.0.1/);
  });
});

describe('embedded database folder lock', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'infraprime-lock-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes over a lock of a dead process', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']);
    const stale = { pid: dead.pid, command: 'infraprime serve' };
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(stale));
    const db = await openPglite(dataDir, 'infraprime db status');
    const owner = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({
      pid: process.pid,
      command: 'infraprime db status',
      host: hostname(),
    });
    await db.close();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('keeps a renewed remote lock', () => {
    const dead = spawnSync(process.execPath, ['-e', '']);
    const other = { pid: dead.pid, command: 'infraprime serve', host: 'api-container-2' };
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(other));
    const error = (() => {
      try {
        lockDataFolder(dataDir, 'infraprime serve');
      } catch (caught) {
        return caught as DataFolderLockedError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DataFolderLockedError);
    expect(error!.message).toContain(`(pid ${dead.pid} on api-container-2)`);
    expect(error!.help).toContain('is taken over after 60 s');
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toEqual(other);
  });

  it('takes over an unrenewed remote lock', () => {
    const other = { pid: 1, command: 'infraprime serve', host: 'api-container-2' };
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(other));
    const past = new Date(Date.now() - ABANDONED_AFTER_MS - 5_000);
    utimesSync(join(dataDir, LOCK_FILE), past, past);
    const release = lockDataFolder(dataDir, 'infraprime serve');
    const owner = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({
      pid: process.pid,
      command: 'infraprime serve',
      host: hostname(),
    });
    release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0)(
    'rejects a process in a new PID namespace',
    async () => {
      const module = join(import.meta.dirname, '..', '..', 'dist', 'server', 'db', 'data-lock.js');
      const script = [
        `const { lockDataFolder } = await import(${JSON.stringify(module)});`,
        'try {',
        "  lockDataFolder(process.argv[1], 'intruder');",
        "  console.log('held');",
        '} catch (error) {',
        '  console.log(error.message);',
        '}',
      ].join('\n');
      const release = lockDataFolder(dataDir, 'infraprime serve');
      try {
        const result = spawnSync(
          'unshare',
          [
            '--pid',
            '--fork',
            '--mount-proc',
            process.execPath,
            '--input-type=module',
            '-e',
            script,
            dataDir,
          ],
          { encoding: 'utf8' },
        );
        expect(result.stdout.trim()).toBe(
          `the data folder ${dataDir} is in use by infraprime serve (pid ${process.pid} in another container)`,
        );
      } finally {
        release();
      }
    },
  );

  it('keeps a lock from another PID namespace', () => {
    const other = {
      pid: 1,
      command: 'infraprime serve',
      host: hostname(),
      pidNamespace: 'pid:[1]',
    };
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(other));
    expect(() => lockDataFolder(dataDir, 'infraprime db status')).toThrow(
      '(pid 1 in another container)',
    );
    const past = new Date(Date.now() - ABANDONED_AFTER_MS - 5_000);
    utimesSync(join(dataDir, LOCK_FILE), past, past);
    const release = lockDataFolder(dataDir, 'infraprime db status');
    release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it.each([
    ['a pid below 1', { pid: -1, command: 'x' }, undefined],
    ['a renewal far ahead', { pid: 7, command: 'x', host: 'api-container-2' }, 2 * 3_600_000],
  ])('takes over a lock with %s', (_case, lock, ahead) => {
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(lock));
    if (ahead !== undefined) {
      const future = new Date(Date.now() + ahead);
      utimesSync(join(dataDir, LOCK_FILE), future, future);
    }
    const release = lockDataFolder(dataDir, 'infraprime db status');
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('no kill advice for unknown holder', () => {
    const error = new DataFolderLockedError(dataDir, { pid: 0, command: 'another process' });
    expect(error.help).not.toContain('kill');
    expect(error.help).toContain('wait until the other process has finished');
  });

  it('defers to a live takeover', () => {
    const dead = spawnSync(process.execPath, ['-e', '']);
    const stale = JSON.stringify({ pid: dead.pid, command: 'infraprime serve' });
    writeFileSync(join(dataDir, LOCK_FILE), stale);
    const taking = { pid: process.ppid, command: 'infraprime db migrate' };
    writeFileSync(join(dataDir, `${LOCK_FILE}.takeover`), JSON.stringify(taking));
    expect(() => lockDataFolder(dataDir, 'infraprime serve')).toThrow(
      `infraprime db migrate (pid ${process.ppid})`,
    );
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).toBe(stale);
  });

  it('removes a dead takeover file', () => {
    const dead = spawnSync(process.execPath, ['-e', '']);
    const stale = JSON.stringify({ pid: dead.pid, command: 'infraprime serve' });
    writeFileSync(join(dataDir, LOCK_FILE), stale);
    writeFileSync(join(dataDir, `${LOCK_FILE}.takeover`), stale);
    const release = lockDataFolder(dataDir, 'infraprime serve');
    const owner = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    expect(owner.pid).toBe(process.pid);
    expect(existsSync(join(dataDir, `${LOCK_FILE}.takeover`))).toBe(false);
    release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('one of three racers wins', async () => {
    const module = join(import.meta.dirname, '..', '..', 'dist', 'server', 'db', 'data-lock.js');
    const racer = [
      `const { lockDataFolder } = await import(${JSON.stringify(module)});`,
      'while (Date.now() < Number(process.argv[2])) {}',
      'let held = true;',
      "try { lockDataFolder(process.argv[1], 'racer'); } catch { held = false; }",
      "console.log(held ? 'held' : 'locked');",
      'await new Promise((resolve) => setTimeout(resolve, 150));',
    ].join('\n');
    for (let round = 0; round < 10; round++) {
      const folder = mkdtempSync(join(tmpdir(), 'infraprime-race-'));
      const dead = spawnSync(process.execPath, ['-e', '']);
      writeFileSync(join(folder, LOCK_FILE), JSON.stringify({ pid: dead.pid, command: 'old' }));
      const start = String(Date.now() + 250);
      const outcomes = await Promise.all(
        [0, 1, 2].map(
          () =>
            new Promise<string>((resolve) => {
              const child = spawn(process.execPath, [
                '--input-type=module',
                '-e',
                racer,
                folder,
                start,
              ]);
              let output = '';
              child.stdout.on('data', (chunk) => {
                output += chunk;
              });
              child.on('close', () => resolve(output.trim()));
            }),
        ),
      );
      rmSync(folder, { recursive: true, force: true });
      expect(outcomes.filter((outcome) => outcome === 'held')).toEqual(['held']);
      expect(outcomes.filter((outcome) => outcome === 'locked')).toHaveLength(2);
    }
  }, 30_000);

  it('rejects a lock of a live process', async () => {
    const live = { pid: process.ppid, command: 'infraprime serve' };
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(live));
    const opening = openPglite(dataDir, 'infraprime db status');
    await expect(opening).rejects.toThrow(DataFolderLockedError);
    await expect(opening).rejects.toThrow(`infraprime serve (pid ${process.ppid})`);
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(false);
  });
});
