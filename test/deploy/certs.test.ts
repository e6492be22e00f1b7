import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const folders: string[] = [];

function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'infraprime-certs-'));
  folders.push(folder);
  return join(folder, 'secrets');
}

function readCert(folder: string, name: string): X509Certificate {
  return new X509Certificate(readFileSync(join(folder, name)));
}

function fileMode(path: string): number {
  return statSync(path).mode & 0o777;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('infraprime certs', () => {
  it('creates a CA and one certificate per service', () => {
    const out = freshFolder();
    const result = runCli(['certs', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const ca = readCert(out, 'ca.crt');
    expect(ca.ca).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(readFileSync(join(out, 'ca.key'))))).toBe(true);
    expect(fileMode(join(out, 'ca.key'))).toBe(0o600);

    const expectedNames: Record<string, string[]> = {
      nginx: ['localhost', '127.0.0.1', '::1'],
      postgres: ['postgres', 'localhost', '127.0.0.1'],
      redis: ['redis', 'localhost', '127.0.0.1'],
    };
    for (const [service, names] of Object.entries(expectedNames)) {
      const cert = readCert(out, `${service}.crt`);
      expect(cert.ca).toBe(false);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
      const key = createPrivateKey(readFileSync(join(out, `${service}.key`)));
      expect(cert.checkPrivateKey(key)).toBe(true);
      expect(fileMode(join(out, `${service}.key`))).toBe(0o600);
      for (const name of names) {
        const covered = /^[\d.:]+$/.test(name) ? cert.checkIP(name) : cert.checkHost(name);
        expect(covered, `${service}.crt covers ${name}`).toBeTruthy();
      }
    }
  });

  it('adds --san names and keeps the CA on --force', () => {
    const out = freshFolder();
    expect(runCli(['certs', '--out', out]).status).toBe(0);
    const firstCa = readFileSync(join(out, 'ca.crt'), 'utf8');

    const again = runCli(['certs', '--out', out, '--service', 'nginx']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exist');
    expect(again.stderr).toContain('--force');

    const forced = runCli([
      'certs',
      '--out',
      out,
      '--service',
      'nginx',
      '--san',
      'nginx=infraprime.example.com,10.0.0.5',
      '--force',
    ]);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(out, 'ca.crt'), 'utf8')).toBe(firstCa);
    const nginx = readCert(out, 'nginx.crt');
    expect(nginx.checkHost('infraprime.example.com')).toBe('infraprime.example.com');
    expect(nginx.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(nginx.verify(readCert(out, 'ca.crt').publicKey)).toBe(true);
  });

  it('prints the issued files as JSON', () => {
    const out = freshFolder();
    const result = runCli(['certs', '--out', out, '--service', 'redis', '--format', 'json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as {
      caCreated: boolean;
      certificates: Array<{ service: string; names: string[] }>;
    };
    expect(report.caCreated).toBe(true);
    expect(report.certificates.map((cert) => cert.service)).toEqual(['redis']);
    expect(report.certificates[0]!.names).toContain('redis');
  });

  it.each([
    [['--san', 'mysql=db.example.com'], 'does not start with a service name'],
    [['--san', 'nginx=bad_name!'], 'neither an IP address nor a valid DNS name'],
    [['--service', 'mysql'], "unknown service 'mysql'"],
    [['--days', '0'], '--days 0 is invalid'],
    [['--days', '400', '--ca-days', '365'], 'would outlive a new CA'],
  ])('rejects %j with exit 2', (args, message) => {
    const out = freshFolder();
    const result = runCli(['certs', '--out', out, ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('bug in InfraPrime');
  });
});
