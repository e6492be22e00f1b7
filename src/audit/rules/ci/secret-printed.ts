import { defineRule } from '../rule.js';
import {
  type CiStep,
  isGithubWorkflow,
  lineLocation,
  type ScriptLine,
  scriptLines,
  stepsOf,
} from './workflow.js';

const SECRET_EXPRESSION = /\$\{\{\s*(secrets\.[\w-]+|github\.token)\s*\}\}/;
const PRINT_COMMAND = /(?<![\w./-])(?:echo|printf)(?=\s)/g;
/** Commands that re-encode their input into a form of the secret that masking misses. */
const ENCODERS = /^\s*(?:base64|xxd|od|hexdump|rev)\b/;
/** A redirection of standard output to a file. Output sent to `>&2` still reaches the log. */
const FILE_REDIRECT = /(?:^|[^&\d])\d?>>?\s*(?!&)\S/;

/** A secret printed by a command: its name and whether an encoder hides it from masking. */
interface PrintedSecret {
  name: string;
  encoded: boolean;
  index: number;
  length: number;
}

/** Names of the step's environment variables whose value is a secret. */
function secretVariables(step: CiStep): Set<string> {
  const names = Object.entries(step.env)
    .filter(([, value]) => typeof value === 'string' && SECRET_EXPRESSION.test(value))
    .map(([name]) => name);
  return new Set(names);
}

function referencedSecret(text: string, variables: Set<string>): string | undefined {
  const expression = SECRET_EXPRESSION.exec(text);
  if (expression) return expression[1];
  for (const match of text.matchAll(/\$\{?(\w+)\}?/g)) {
    if (variables.has(match[1]!)) return `$${match[1]}`;
  }
  return undefined;
}

/** Finds `echo` and `printf` commands on a line whose output shows a secret in the log. */
function printedSecrets(line: ScriptLine, variables: Set<string>): PrintedSecret[] {
  const found: PrintedSecret[] = [];
  for (const match of line.text.matchAll(PRINT_COMMAND)) {
    const after = line.text.slice(match.index);
    const end = /;|&&|\|\||\n(?!\s*\|)/.exec(after);
    const command = (end ? after.slice(0, end.index) : after).trimEnd();
    const [printed, ...pipes] = command.split(/(?<!\|)\|(?!\|)/);
    const name = referencedSecret(printed!, variables);
    if (!name || printed!.includes('::add-mask::')) continue;

    const output = pipes.length > 0 ? pipes[pipes.length - 1]! : printed!;
    if (FILE_REDIRECT.test(output)) continue;
    const encoded = pipes.some((pipe) => ENCODERS.test(pipe));
    if (pipes.length > 0 && !encoded) continue;
    found.push({ name, encoded, index: match.index, length: command.length });
  }
  return found;
}

export const secretPrintedRule = defineRule({
  id: 'CI010',
  name: 'secret-printed',
  title: 'Workflow prints a secret to the job log',
  severity: 'medium',
  layer: 'data',
  target: 'ci',
  control: 'data.secrets-management',
  status: 'stable',
  rationale:
    'GitHub replaces the exact value of each registered secret with `***` in job logs, but only that exact value. ' +
    'A secret that is base64-encoded, reversed, split, escaped or printed inside other text can appear in clear, and logs are readable by everyone with read access to the repository, which for a public repository is everyone. ' +
    'Printing a secret gains nothing and relies entirely on the masking.',
  fix: 'Do not print secrets: pass them to the tool that needs them through `env` or standard input (`echo "$TOKEN" | docker login --password-stdin`), and register derived values with `::add-mask::` before use.',
  limitations: [
    'Only `echo` and `printf` of a `secrets.*` or `github.token` expression, or of a variable set from one in `env`, are recognized.',
    'GitLab CI is not checked, because its secrets are project variables that the file does not name.',
  ],
  references: [
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions',
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-secrets',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      if (!isGithubWorkflow(yaml)) continue;
      for (const step of stepsOf(yaml)) {
        const variables = secretVariables(step);
        for (const line of scriptLines(step)) {
          for (const secret of printedSecrets(line, variables)) {
            const exposure = secret.encoded
              ? 'in an encoded form that log masking does not recognize'
              : 'to the job log, where only masking hides it';
            report({
              message: `Job \`${step.job}\` prints secret \`${secret.name}\` ${exposure}`,
              location: lineLocation(step, line, secret.index, secret.length),
              key: `${step.path.join('.')}:${secret.name}`,
            });
          }
        }
      }
    }
  },
});
