import type { Command } from 'commander';
import { ROLES, type Role } from '../../server/auth/permissions.js';
import { migrate } from '../../server/db/migrate.js';
import { ApiError } from '../../server/errors.js';
import { recordSecurityEvent } from '../../server/services/events.js';
import { createUser } from '../../server/services/users.js';
import { UsageError } from '../errors.js';
import { commandConfig, commandLogger, withDatabase } from './db.js';

interface CreateFlags {
  email: string;
  name?: string;
  role?: string;
  admin?: boolean;
  data?: string;
}

/** Reads one line from a terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else text += char;
      }
    };
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** Reads the first line of standard input, for scripts: `printf '%s\n' "$PW" | infraprime …`. */
async function readFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const password = await promptHidden('Password: ');
  const again = await promptHidden('Repeat the password: ');
  if (password !== again) throw new UsageError('the two passwords differ', 'run the command again');
  return password;
}

function roleOf(flags: CreateFlags): Role {
  if (flags.admin) return 'admin';
  const role = flags.role ?? 'viewer';
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  throw new UsageError(`unknown role '${role}'`, `use one of: ${ROLES.join(', ')}`);
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage console user accounts');
  users
    .command('create')
    .description(
      'create a user; the password is read from a hidden prompt, or from the first line of standard input when it is not a terminal',
    )
    .requiredOption('--email <email>', 'the login email address')
    .option('--name <name>', 'display name (default: the email address)')
    .option('--role <role>', `one of ${ROLES.join(', ')} (default: viewer)`)
    .option('--admin', 'same as --role admin')
    .option(
      '--data <dir>',
      'folder of the embedded database (default: INFRAPRIME_DATA_DIR or ./.infraprime-data); unused when DATABASE_URL is set',
    )
    .action(async (flags: CreateFlags) => {
      const role = roleOf(flags);
      const config = commandConfig(flags);
      const password = await readPassword();
      const log = commandLogger(config);
      const user = await withDatabase(config, 'infraprime users create', async (db) => {
        await migrate(db);
        try {
          const created = await createUser(
            { db, config },
            { email: flags.email, displayName: flags.name, role, password },
          );
          await recordSecurityEvent(
            { db, log },
            {
              type: 'user.created',
              outcome: 'success',
              subject: created.id,
              details: { role, via: 'cli' },
            },
          );
          return created;
        } catch (error) {
          if (error instanceof ApiError) throw new UsageError(error.message);
          throw error;
        }
      });
      process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
    });
}
