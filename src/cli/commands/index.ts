import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerRules } from './rules.js';

/** Adds every subcommand to the program; one module per command group. */
export function registerCommands(program: Command): void {
  registerAudit(program);
  registerRules(program);
}
