import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  loadExamples,
  type RuleExamples,
  renderRuleDoc,
  renderRuleIndex,
} from '../../audit/docs/render.js';
import { allRules, findRule } from '../../audit/rules/registry.js';
import type { Rule } from '../../audit/rules/rule.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import { UsageError } from '../errors.js';

/** Rule fixtures, the documented examples, sit in the package's test folder. */
const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures', 'rules');

/**
 * Every rule's examples, which the build collects from the fixtures. A packed package ships this
 * file in place of the fixtures, because npm leaves `.gitignore` files out of packages.
 */
export const EXAMPLES_FILE = join(PACKAGE_ROOT, 'dist', 'rule-examples.json');

/** Reads a rule's examples from the fixtures in a checkout, or from the build's copy in a package. */
export function ruleExamples(
  rule: Pick<Rule, 'id'>,
  fixturesRoot = FIXTURES,
  examplesFile = EXAMPLES_FILE,
): RuleExamples {
  if (existsSync(fixturesRoot)) return loadExamples(fixturesRoot, rule);
  if (!existsSync(examplesFile)) return { incorrect: [], correct: [] };
  const byRule = JSON.parse(readFileSync(examplesFile, 'utf8')) as Record<string, RuleExamples>;
  return byRule[rule.id] ?? { incorrect: [], correct: [] };
}

export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('list every audit rule')
    .option('--format <format>', 'text or json', 'text')
    .option(
      '--write-docs <folder>',
      'write one Markdown page per rule and an index into the folder',
    )
    .action((flags: { format: string; writeDocs?: string }) => {
      if (flags.writeDocs) return writeDocs(flags.writeDocs);
      if (flags.format === 'json') {
        const meta = allRules.map(({ check: _check, ...rest }) => rest);
        process.stdout.write(`${JSON.stringify(meta, null, 2)}\n`);
        return;
      }
      if (flags.format !== 'text')
        throw new UsageError(`unknown format '${flags.format}'`, 'use text or json');
      for (const rule of allRules) {
        process.stdout.write(
          `${rule.id.padEnd(7)} ${rule.severity.padEnd(8)} ${rule.name.padEnd(36)} ${rule.title}\n`,
        );
      }
    });

  program
    .command('explain')
    .description('show why a rule matters, how to fix it, and examples')
    .argument('<rule>', 'rule id or name, such as DF001')
    .action((id: string) => {
      const rule = findRule(id);
      if (!rule)
        throw new UsageError(`unknown rule '${id}'`, 'run `infraprime rules` to list rule ids');
      process.stdout.write(renderRuleDoc(rule, ruleExamples(rule)));
    });
}

function writeDocs(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const rule of allRules) {
    writeFileSync(join(folder, `${rule.id}.md`), renderRuleDoc(rule, ruleExamples(rule)));
  }
  writeFileSync(join(folder, 'README.md'), renderRuleIndex(allRules));
  process.stdout.write(`wrote ${allRules.length} rule pages to ${folder}\n`);
}
