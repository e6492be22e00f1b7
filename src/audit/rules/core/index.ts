import { defineRule, type Rule } from '../rule.js';

// The engine reports these itself; `check` is empty because no model walk finds them.
const noCheck = () => {};

export const parseError = defineRule({
  id: 'IP001',
  name: 'parse-error',
  title: 'File cannot be parsed',
  severity: 'medium',
  layer: 'checklist',
  target: 'core',
  control: 'checklist.configuration-verified',
  status: 'stable',
  rationale:
    'A file that does not parse cannot be checked, so every control it should carry is unverified. ' +
    'The tool that loads it in production (Docker, Compose, nginx) will usually reject it too, or read it differently than intended.',
  fix: 'Correct the syntax at the reported position; the message names what was expected.',
  references: [
    'https://docs.docker.com/reference/dockerfile/',
    'https://docs.docker.com/reference/compose-file/',
  ],
  check: noCheck,
});

export const inputError = defineRule({
  id: 'IP002',
  name: 'input-error',
  title: 'File cannot be read',
  severity: 'medium',
  layer: 'checklist',
  target: 'core',
  control: 'checklist.configuration-verified',
  status: 'stable',
  rationale:
    'A deployment file that cannot be read (unreadable, binary, over 10 MB, or a symbolic link loop) is left out of the audit, ' +
    'so its controls are unverified. The run continues with the other files and exits with code 2 when nothing else fails it.',
  fix: 'Make the file readable text, or list it under `ignore` in .infraprime.yml when it is not configuration.',
  references: [],
  check: noCheck,
});

export const suppressionWithoutReason = defineRule({
  id: 'IP003',
  name: 'suppression-without-reason',
  title: 'Inline suppression has no reason',
  severity: 'low',
  layer: 'checklist',
  target: 'core',
  control: 'checklist.exceptions-recorded',
  status: 'stable',
  rationale:
    'A suppression hides a finding from every report. Without a written reason, reviewers cannot tell an accepted risk from a silenced one, ' +
    'so InfraPrime ignores suppressions that give no reason and reports the finding as well.',
  fix: 'Write the reason after the rule id: `# infraprime-ignore DC005 nginx publishes 443 on purpose`.',
  references: [],
  check: noCheck,
});

export const expiredAcceptance = defineRule({
  id: 'IP004',
  name: 'accepted-finding-expired',
  title: 'Accepted finding has expired',
  severity: 'low',
  layer: 'checklist',
  target: 'core',
  control: 'checklist.exceptions-recorded',
  status: 'stable',
  rationale:
    'Accepted risks are reviewed on a schedule. Once an acceptance passes its expiry date the finding is reported again, ' +
    'and this notice points at the stale entry so that it is renewed with a new reason or removed.',
  fix: 'Fix the finding and delete the entry, or renew it with a new `expires` date and reason.',
  references: [],
  check: noCheck,
});

export const coreRules: Rule[] = [
  parseError,
  inputError,
  suppressionWithoutReason,
  expiredAcceptance,
];
