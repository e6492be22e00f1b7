import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerCerts } from './certs.js';
import { registerDb } from './db.js';
import { registerRules } from './rules.js';
import { registerServe } from './serve.js';
import { registerUsers } from './users.js';

/** Adds every subcommand to the program; one module per command group. */
export function registerCommands(program: Command): void {
  registerAudit(program);
  registerCerts(program);
  registerRules(program);
  registerServe(program);
  registerUsers(program);
  registerDb(program);
}
