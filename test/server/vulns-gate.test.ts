import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  call,
  createTestServer,
  JUICE_SHOP,
  login,
  type Session,
  type TestServer,
} from './helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'infraprime.js');
const run = promisify(execFile);

/** Runs `infraprime vulns gate` without blocking this process, which serves the console. */
async function gate(args: string[], token: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'vulns', 'gate', ...args], {
      env: { ...process.env, INFRAPRIME_TOKEN: token, NO_COLOR: '1' },
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!existsSync(BIN) || !existsSync(JUICE_SHOP))('vulns gate with --server', () => {
  let server: TestServer;
  let url: string;
  let projectId: string;
  let token: string;

  beforeAll(async () => {
    server = await createTestServer('pglite');
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    await addUser(server, 'admin@example.test', 'admin');
    const admin: Session = await login(server, 'admin@example.test');
    const project = await call(server, admin, 'POST', '/api/v1/projects', {
      name: 'shop',
      slug: 'shop',
    });
    projectId = (project.json() as { id: string }).id;
    const created = await call(server, admin, 'POST', '/api/v1/tokens', {
      name: 'ci',
      projectIds: [projectId],
      actions: ['scans:write', 'findings:read'],
      expiresInDays: 30,
    });
    expect(project.statusCode, project.body).toBe(201);
    expect(created.statusCode, created.body).toBe(201);
    token = (created.json() as { secret: string }).secret;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('stores the report and blocks critical findings', async () => {
    const result = await gate(
      [JUICE_SHOP, '--server', url, '--project', projectId, '--format', 'json'],
      token,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.image).toBe('bkimminich/juice-shop');
    expect(body.blocking.length).toBeGreaterThan(0);
    expect(
      body.blocking.every((entry: { severity: string }) => entry.severity === 'critical'),
    ).toBe(true);

    const scans = await call(server, { token }, 'GET', `/api/v1/projects/${projectId}/scans`);
    expect((scans.json() as { items: unknown[] }).items).toHaveLength(1);
  });

  it('rejects a token for another project with exit 2', async () => {
    const result = await gate(
      [JUICE_SHOP, '--server', url, '--project', '00000000-0000-4000-8000-000000000000'],
      token,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('the console rejected POST');
    expect(result.stderr).not.toContain('    at ');
  });

  it('names an unreachable console with exit 2', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'infraprime-gate-'));
    writeFileSync(
      join(folder, 'empty.json'),
      JSON.stringify({ SchemaVersion: 2, ArtifactName: 'a:1', Results: [] }),
    );
    const result = await gate(
      [join(folder, 'empty.json'), '--server', 'http://127.0.0.1:9', '--project', projectId],
      token,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot reach the console at http://127.0.0.1:9');
  });
});
