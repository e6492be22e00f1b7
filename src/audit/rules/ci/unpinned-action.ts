import { defineRule } from '../rule.js';
import { isGithubWorkflow, isMapping, type ValuePath, valueLocation } from './workflow.js';

/** Owners of the actions that GitHub publishes, whose tags are trusted like the platform itself. */
const GITHUB_OWNERS = new Set(['actions', 'github']);

/** Returns why a `uses:` value is not pinned, or undefined when it is pinned or local. */
function unpinnedReason(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined;
  if (uses.startsWith('docker://')) {
    return /@sha256:[0-9a-f]{64}$/.test(uses) ? undefined : 'has no `@sha256:` digest';
  }
  const at = uses.lastIndexOf('@');
  const ref = at >= 0 ? uses.slice(at + 1) : '';
  const owner = uses.split('/')[0]!.toLowerCase();
  if (GITHUB_OWNERS.has(owner) || /^[0-9a-f]{40}$/i.test(ref)) return undefined;
  return ref ? `uses the ref \`${ref}\` instead of a commit SHA` : 'has no version';
}

/** Lists the `uses:` values of a workflow: job-level reusable workflows and step actions. */
function usesPaths(root: unknown): Array<{ uses: string; path: ValuePath }> {
  const jobs = isMapping(root) && isMapping(root.jobs) ? root.jobs : {};
  const found: Array<{ uses: string; path: ValuePath }> = [];
  for (const [job, config] of Object.entries(jobs)) {
    if (!isMapping(config)) continue;
    if (typeof config.uses === 'string')
      found.push({ uses: config.uses, path: ['jobs', job, 'uses'] });
    const steps = Array.isArray(config.steps) ? config.steps : [];
    steps.forEach((step, index) => {
      if (isMapping(step) && typeof step.uses === 'string') {
        found.push({ uses: step.uses, path: ['jobs', job, 'steps', index, 'uses'] });
      }
    });
  }
  return found;
}

export const unpinnedActionRule = defineRule({
  id: 'CI004',
  name: 'unpinned-action',
  title: 'Third-party action is not pinned to a commit SHA',
  severity: 'medium',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.ci-supply-chain',
  status: 'stable',
  rationale:
    'A tag or branch of an action is a pointer that its owner, or whoever takes over the owner account, can move to other code at any time. ' +
    'The job then runs that code with its token and secrets, as happened when the tags of `tj-actions/changed-files` were rewritten in March 2025 (CVE-2025-30066) to print CI secrets to the logs. ' +
    'Only a full 40-character commit SHA names code that cannot change.',
  fix: 'Pin each third-party action to the full commit SHA of a reviewed release, with the tag in a comment (`uses: owner/action@<sha> # v1.2.3`), and let Dependabot or Renovate update the pins.',
  limitations: [
    'Actions published by GitHub (`actions/*`, `github/*`) may stay on tags, as most policies allow.',
    'A SHA pin does not cover what the action itself downloads, such as a Docker image by tag or a script from a release.',
    'GitLab `include:` entries and job images are not checked.',
  ],
  references: [
    'https://docs.github.com/en/actions/security-guides/security-hardening-for-github-actions#using-third-party-actions',
    'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepsuses',
    'https://nvd.nist.gov/vuln/detail/CVE-2025-30066',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      if (!isGithubWorkflow(yaml)) continue;
      for (const { uses, path } of usesPaths(yaml.documents[0])) {
        const reason = unpinnedReason(uses);
        if (!reason) continue;
        report({
          message: `\`${uses}\` ${reason}, so its code can change without a change to this workflow`,
          location: valueLocation(yaml, path),
          key: `${path.join('.')}:${uses.split('@')[0]}`,
          evidence: uses,
        });
      }
    }
  },
});
