import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Each command group's module, loaded on demand: the console's commands pull in Fastify, the
 * database drivers and PGlite, which would otherwise add their load time to every audit.
 */
const GROUPS: Record<string, () => Promise<Register>> = {
  audit: async () => (await import('./audit.js')).registerAudit,
  certs: async () => (await import('./certs.js')).registerCerts,
  rules: async () => (await import('./rules.js')).registerRules,
  serve: async () => (await import('./serve.js')).registerServe,
  users: async () => (await import('./users.js')).registerUsers,
  db: async () => (await import('./db.js')).registerDb,
  vulns: async () => (await import('./vulns.js')).registerVulns,
};

/** Commands registered by a group whose name differs from the command's. */
const GROUP_OF_COMMAND: Record<string, string> = { explain: 'rules' };

/** Program options that print and exit without running a command. */
const NEEDS_NO_COMMAND = new Set(['-V', '--version']);

/**
 * Adds the subcommands to the program. When the first argument names a known command, only its
 * group is loaded, and for `--version` none is; for help, an unknown command or no command,
 * every group is.
 */
export async function registerCommands(program: Command, argv: string[] = []): Promise<void> {
  const first = argv[0] ?? '';
  if (NEEDS_NO_COMMAND.has(first)) return;
  const group = GROUP_OF_COMMAND[first] ?? first;
  const names = Object.hasOwn(GROUPS, group) ? [group] : Object.keys(GROUPS);
  for (const name of names) (await GROUPS[name]!())(program);
}
