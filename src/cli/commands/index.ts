import type { Command } from 'commander';

/** Adds every subcommand to the program; one module per command group. */
export function registerCommands(program: Command): void {
  void program;
}
