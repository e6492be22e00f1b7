import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'infraprime.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a separate process, the way a user or CI job runs it. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; prefix?: string[] } = {},
): CliResult {
  const command = options.prefix ?? [];
  const program = command.length ? command[0]! : process.execPath;
  const rest = command.length
    ? [...command.slice(1), process.execPath, BIN, ...args]
    : [BIN, ...args];
  const result = spawnSync(program, rest, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes a small repository of `files` into a new temporary folder and returns its path. */
export function makeRepo(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'infraprime-test-'));
  for (const [path, content] of Object.entries(files)) {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, content);
  }
  return root;
}
