import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import ignore from 'ignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEPLOY,
  freePort,
  makeTempDir,
  ROOT,
  type Started,
  startProcess,
  stopProcess,
  waitFor,
} from './loopback.js';

/**
 * Docker cannot run here, so this suite lays out the runtime stage of deploy/api/Dockerfile from
 * its own COPY, WORKDIR, ENV and HEALTHCHECK lines and starts the server from that folder. A file
 * the server needs at run time but the image leaves out makes the server fail here too.
 */

const DOCKERFILE = readFileSync(join(DEPLOY, 'api', 'Dockerfile'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Splits the Dockerfile into instructions, joining continuation lines and dropping comments. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

function stages(): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of instructions(DOCKERFILE)) {
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const runtime = stages().at(-1)!;
const buildStages = stages().slice(0, -1);

interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

function copies(stage: Instruction[]): Copy[] {
  return stage
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const flags = words.filter((word) => word.startsWith('--'));
      const paths = words.filter((word) => !word.startsWith('--'));
      const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
      return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1)! };
    });
}

/** Maps a path in a build stage (WORKDIR /src, a copy of the repository) to the repository. */
function repoPathOf(copy: Copy, source: string): string {
  if (!copy.from) return join(ROOT, source);
  return join(ROOT, source.replace(/^\/src\//, ''));
}

let dir: string;
let appDir: string;
let port: number;
let server: Started | undefined;

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    call.on('error', reject);
    call.end();
  });
}

function runtimeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir };
  for (const instruction of runtime.filter((entry) => entry.keyword === 'ENV')) {
    for (const match of instruction.args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g))
      env[match[1]!] = match[2]!;
  }
  env.INFRAPRIME_DATA_DIR = join(dir, 'data');
  return env;
}

describe('API image runtime stage', () => {
  beforeAll(async () => {
    dir = makeTempDir('infraprime-api-image-');
    const workdir = runtime.filter((entry) => entry.keyword === 'WORKDIR').at(-1)?.args ?? '/';
    appDir = join(dir, 'root', workdir);
    mkdirSync(appDir, { recursive: true });
    for (const copy of copies(runtime)) {
      for (const source of copy.sources) {
        const from = repoPathOf(copy, source);
        const to = join(appDir, copy.destination);
        // NOTE: node_modules is linked from the repository, which also contains the dev
        // dependencies that `npm ci --omit=dev` leaves out of the image.
        if (source.endsWith('/node_modules/')) symlinkSync(from, to.replace(/\/$/, ''));
        else
          cpSync(from, source.endsWith('/') ? to : join(to, source.split('/').at(-1)!), {
            recursive: true,
          });
      }
    }
    port = await freePort();
  });

  afterAll(async () => {
    await stopProcess(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends the files every COPY reads to the build', () => {
    const rules = ignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    const contextSources = [...buildStages, runtime].flatMap((stage) =>
      copies(stage)
        .filter((copy) => !copy.from)
        .flatMap((copy) => copy.sources),
    );
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources) {
      const probe = source.endsWith('/') ? `${source}index.ts` : source;
      expect(rules.ignores(probe), `${source} is sent to the builder`).toBe(false);
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
    }
  });

  it('keeps secrets and local state out of the build context', () => {
    const rules = ignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    for (const path of [
      'deploy/secrets/ca.key',
      'deploy/.env',
      '.env',
      'src/certs/test.key',
      'node_modules/x.js',
      'dist/cli/main.js',
      '.git/config',
    ]) {
      expect(rules.ignores(path), `${path} stays out of the build context`).toBe(true);
    }
  });

  it('starts the server from the runtime files alone', async () => {
    const entrypoint = /^ENTRYPOINT\s+(\[.*\])$/m.exec(DOCKERFILE)?.[1];
    const command = /^CMD\s+(\[.*\])$/m.exec(DOCKERFILE)?.[1];
    expect(entrypoint).toBeDefined();
    expect(command).toBeDefined();
    const [, ...entryArgs] = JSON.parse(entrypoint!) as string[];
    // Only the listen address and port change: loopback and a free port in place of 0.0.0.0:8080.
    const replacements: Record<string, string> = { '8080': String(port), '0.0.0.0': '127.0.0.1' };
    const args = (JSON.parse(command!) as string[]).map((arg) => replacements[arg] ?? arg);

    server = startProcess(
      process.execPath,
      [...entryArgs.map((arg) => join(appDir, arg)), ...args],
      runtimeEnv(),
    );
    await waitFor(
      'the server from the image layout',
      async () => (await get('/health')) === 200,
      90_000,
      server!,
    );
    expect(server.output()).toContain('migrations applied');
  }, 120_000);

  it('passes its own HEALTHCHECK', () => {
    const healthcheck = /^HEALTHCHECK .*CMD (\[.*\])$/m.exec(
      instructions(DOCKERFILE)
        .map((entry) => `${entry.keyword} ${entry.args}`)
        .join('\n'),
    )?.[1];
    expect(healthcheck).toBeDefined();
    const [, ...args] = (JSON.parse(healthcheck!) as string[]).map((arg) =>
      arg.replace('127.0.0.1:8080', `127.0.0.1:${port}`),
    );
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 10_000 });
    expect(result.status, result.stderr).toBe(0);
  });
});
