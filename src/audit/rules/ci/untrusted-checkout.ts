import type { Location } from '../../../finding/finding.js';
import { defineRule } from '../rule.js';
import {
  actionName,
  type CiStep,
  isGithubWorkflow,
  lineLocation,
  scriptLines,
  stepsOf,
  triggersOf,
  valueLocation,
} from './workflow.js';

/** Events whose workflows run with the base repository's secrets, even for a fork's changes. */
const PRIVILEGED_EVENTS = ['pull_request_target', 'workflow_run'];

/** Expressions that name the pull request's own commit, branch or repository. */
const UNTRUSTED_REF = new RegExp(
  [
    'github\\.event\\.pull_request\\.(?:head\\.(?:sha|ref|repo\\.full_name)|merge_commit_sha)',
    'github\\.head_ref',
    'github\\.event\\.workflow_run\\.(?:head_sha|head_branch|head_repository\\.full_name)',
    'refs/pull/',
  ].join('|'),
);

const CHECKOUT_COMMAND =
  /\bgh\s+pr\s+checkout\b|\bgit\s+(?:fetch|checkout|switch|pull)\b[^\n;&|]{0,200}?(?:refs\/pull\/|\bpull\/|head\.sha|head\.ref|head_ref|head_sha|head_branch)/;

/** Locates where a step checks out the pull request's code, if it does. */
function untrustedCheckout(step: CiStep): { location: Location; what: string } | undefined {
  if (actionName(step.uses) === 'actions/checkout') {
    for (const input of ['ref', 'repository']) {
      const value = step.inputs[input];
      if (typeof value === 'string' && UNTRUSTED_REF.test(value)) {
        return {
          location: valueLocation(step.yaml, [...step.path, 'with', input]),
          what: `${input}: ${value}`,
        };
      }
    }
    return undefined;
  }
  for (const line of scriptLines(step)) {
    const match = CHECKOUT_COMMAND.exec(line.text);
    if (match)
      return { location: lineLocation(step, line, match.index, match[0].length), what: match[0] };
  }
  return undefined;
}

export const untrustedCheckoutRule = defineRule({
  id: 'CI007',
  name: 'untrusted-checkout',
  title: 'Privileged workflow checks out pull request code',
  severity: 'high',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.ci-supply-chain',
  status: 'stable',
  rationale:
    '`pull_request_target` and `workflow_run` workflows run in the context of the base repository, with its secrets and a token that can write, even when a fork opened the pull request. ' +
    "Checking out the pull request's head there and then building, installing or testing it runs the attacker's code with those privileges, which is how repositories are taken over through a single pull request.",
  fix: 'Build and test untrusted code in a `pull_request` workflow, which has no secrets, and keep `pull_request_target` and `workflow_run` jobs to steps that do not run the checked-out code, passing results between them as artifacts.',
  limitations: [
    'The rule does not check whether a later step runs the checked-out code, so a checkout that is only read (for example by a linter that executes nothing) is reported too.',
    'Checkouts through other actions or through shell variables that hold the ref are not recognized.',
  ],
  references: [
    'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
    'https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request_target',
    'https://docs.zizmor.sh/audits/#dangerous-triggers',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      if (!isGithubWorkflow(yaml)) continue;
      const event = triggersOf(yaml).find((name) => PRIVILEGED_EVENTS.includes(name));
      if (!event) continue;
      for (const step of stepsOf(yaml)) {
        const checkout = untrustedCheckout(step);
        if (!checkout) continue;
        report({
          message: `Job \`${step.job}\` runs on \`${event}\` with the repository's secrets but checks out pull request code (\`${checkout.what}\`)`,
          location: checkout.location,
          key: step.path.join('.'),
          evidence: checkout.what,
        });
      }
    }
  },
});
