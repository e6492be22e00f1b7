import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands/index.js';
import { jitFlagsFor } from '../../src/cli/main.js';
import { runCli } from './run-cli.js';

const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

describe('command loading', () => {
  it('loads no command group for --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const program = new Command('infraprime');
      await registerCommands(program, [flag]);
      expect(program.commands.map((command) => command.name())).toEqual([]);
    }
  });

  it('loads only the named command group', async () => {
    const program = new Command('infraprime');
    await registerCommands(program, ['explain', 'DF001']);
    expect(program.commands.map((command) => command.name()).sort()).toEqual(['explain', 'rules']);
  });

  it('loads every group for help', async () => {
    const program = new Command('infraprime');
    await registerCommands(program, ['--help']);
    expect(program.commands.map((command) => command.name())).toContain('serve');
    expect(program.commands.map((command) => command.name())).toContain('audit');
  });

  it('prints the package version and exits 0', () => {
    const result = runCli(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
  });
});

describe('V8 flags per command', () => {
  it('turns off inlining for an audit only', () => {
    expect(jitFlagsFor(['audit', '.'])).toBe('--no-turbo-inlining');
    expect(jitFlagsFor(['serve'])).toBeUndefined();
    expect(jitFlagsFor(['vulns', 'gate'])).toBeUndefined();
    expect(jitFlagsFor([])).toBeUndefined();
  });
});
