import type { ConfEntry, KeyValueConf } from '../../model/types.js';
import { aclFileOf, type RedisSetup } from './helpers.js';

/** A Redis user after the server has read its configuration. */
export interface RedisUser {
  name: string;
  enabled: boolean;
  /** True when the user accepts any password, or none. */
  nopass: boolean;
  passwords: number;
  /** Command rules in order, such as `+@all`, `-@dangerous` or `-flushall`. */
  commandRules: string[];
  /** The `user` or `requirepass` directive that last defined the user. */
  entry?: ConfEntry;
}

/** Creates the default user as Redis starts with it: enabled, no password, every command. */
function defaultUser(): RedisUser {
  return { name: 'default', enabled: true, nopass: true, passwords: 0, commandRules: ['+@all'] };
}

/** Creates a user in the state the `reset` rule leaves: disabled, no password, no commands. */
function resetUser(name: string, entry: ConfEntry): RedisUser {
  return { name, enabled: false, nopass: false, passwords: 0, commandRules: [], entry };
}

/**
 * Returns the users a setup defines, the default user first, or undefined when the users come
 * from an `aclfile` that is not in the repository. `requirepass` sets the default user's
 * password. A `user default` line replaces that user wherever it is in the file, because Redis
 * applies `user` lines after the rest of the file.
 */
export function usersOf(setup: RedisSetup): RedisUser[] | undefined {
  if (aclFileOf(setup) !== undefined) return setup.acl ? aclUsersOf(setup.acl) : undefined;
  const users = new Map<string, RedisUser>([['default', defaultUser()]]);
  for (const entry of setup.entries) {
    if (entry.key !== 'requirepass') continue;
    const user = users.get('default')!;
    user.entry = entry;
    user.nopass = entry.value === '';
    user.passwords = entry.value === '' ? 0 : 1;
  }
  addUsers(users, setup.entries);
  return [...users.values()];
}

/**
 * Returns the users of an ACL file, the default user first. With an ACL file Redis ignores
 * `requirepass` and `user` lines of redis.conf, and when the file does not define `default`,
 * Redis creates that user as it does at a plain start: enabled, without a password.
 */
function aclUsersOf(acl: KeyValueConf): RedisUser[] {
  const users = new Map<string, RedisUser>([['default', defaultUser()]]);
  addUsers(users, acl.entries);
  return [...users.values()];
}

/** Applies the `user` lines among `entries`. Each line defines its user from scratch. */
function addUsers(users: Map<string, RedisUser>, entries: readonly ConfEntry[]): void {
  for (const entry of entries) {
    if (entry.key !== 'user' || entry.value === '') continue;
    const user = resetUser(entry.value, entry);
    for (const rule of entry.rest) applyRule(user, rule);
    users.set(entry.value, user);
  }
}

function applyRule(user: RedisUser, rule: string): void {
  const lower = rule.toLowerCase();
  if (lower === 'on') user.enabled = true;
  else if (lower === 'off') user.enabled = false;
  else if (lower === 'nopass') {
    user.nopass = true;
    user.passwords = 0;
  } else if (lower === 'resetpass') {
    user.nopass = false;
    user.passwords = 0;
  } else if (rule.startsWith('>') || rule.startsWith('#')) {
    user.nopass = false;
    user.passwords++;
  } else if (rule.startsWith('<') || rule.startsWith('!')) {
    user.passwords = Math.max(0, user.passwords - 1);
  } else if (lower === 'reset') {
    Object.assign(user, resetUser(user.name, user.entry!));
  } else if (lower === 'allcommands') user.commandRules.push('+@all');
  else if (lower === 'nocommands') user.commandRules.push('-@all');
  else if (rule.startsWith('+') || rule.startsWith('-')) user.commandRules.push(lower);
}

/** True when clients can log in as the user without knowing a password. */
export function isOpen(user: RedisUser): boolean {
  return user.enabled && user.nopass;
}

/** True when clients can log in as the user at all. */
export function canLogIn(user: RedisUser): boolean {
  return user.enabled && (user.nopass || user.passwords > 0);
}

/** ACL categories of the commands that the dangerous-command rule checks, from `ACL CAT`. */
const DANGEROUS_COMMANDS: Record<string, string[]> = {
  flushall: ['keyspace', 'write', 'slow', 'dangerous'],
  flushdb: ['keyspace', 'write', 'slow', 'dangerous'],
  config: ['admin', 'slow', 'dangerous'],
  keys: ['keyspace', 'read', 'slow', 'dangerous'],
  shutdown: ['admin', 'slow', 'dangerous'],
  replicaof: ['admin', 'slow', 'dangerous'],
  slaveof: ['admin', 'slow', 'dangerous'],
  debug: ['admin', 'slow', 'dangerous'],
  module: ['admin', 'slow', 'dangerous'],
};

/**
 * Commands that Redis 7 and later refuse unless `enable-debug-command` or
 * `enable-module-command` is `yes` (`local` allows them only over loopback and Unix sockets).
 */
const GATED_COMMANDS: Record<string, string> = {
  debug: 'enable-debug-command',
  module: 'enable-module-command',
};

/** True when the ordered ACL rules let the user run `command` with every subcommand. */
function allows(rules: readonly string[], command: string): boolean {
  const categories = DANGEROUS_COMMANDS[command] ?? [];
  let allowed = false;
  for (const rule of rules) {
    const grant = rule.startsWith('+');
    const target = rule.slice(1);
    if (target === '@all' || (target.startsWith('@') && categories.includes(target.slice(1)))) {
      allowed = grant;
    } else if (target === command) {
      allowed = grant;
    }
  }
  return allowed;
}

/**
 * Lists the dangerous commands the user can run, in upper case. A command renamed with
 * `rename-command` counts as unavailable, as does a gated command that is not enabled.
 */
export function dangerousCommandsOf(user: RedisUser, setup: RedisSetup): string[] {
  const renamed = new Set(
    setup.entries
      .filter((entry) => entry.key === 'rename-command')
      .map((entry) => entry.value.toLowerCase()),
  );
  const enabled = (key: string) => {
    const entry = [...setup.entries].reverse().find((candidate) => candidate.key === key);
    return entry?.value.toLowerCase() === 'yes';
  };
  return Object.keys(DANGEROUS_COMMANDS)
    .filter((command) => !renamed.has(command))
    .filter((command) => !GATED_COMMANDS[command] || enabled(GATED_COMMANDS[command]))
    .filter((command) => allows(user.commandRules, command))
    .map((command) => command.toUpperCase());
}
