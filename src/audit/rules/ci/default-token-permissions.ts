import { defineRule } from '../rule.js';
import { isGithubWorkflow, isMapping, triggersOf } from './workflow.js';

export const defaultTokenPermissionsRule = defineRule({
  id: 'CI006',
  name: 'default-token-permissions',
  title: 'Workflow leaves the GITHUB_TOKEN at its default permissions',
  severity: 'low',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.ci-token-permissions',
  status: 'stable',
  rationale:
    'Without a `permissions` key, each job gets the default token permissions set for the repository or organization, and in older repositories and organizations that default is read and write on every scope. ' +
    'The workflow file then does not show what its jobs may do, and a later change of the setting widens all of them at once. ' +
    'A top-level `permissions` block makes the least privilege explicit and reviewable.',
  fix: 'Add `permissions: contents: read` (or `permissions: {}`) at the top of the workflow and grant further scopes only in the jobs that need them.',
  limitations: [
    'Reusable workflows triggered only by `workflow_call` are skipped, because their caller sets the token permissions.',
    "The repository's actual default is not known to InfraPrime, so the rule reports a missing block even where the default is already read-only.",
  ],
  references: [
    'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions',
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      const root = yaml.documents[0];
      if (!isGithubWorkflow(yaml) || !isMapping(root) || root.permissions !== undefined) continue;
      // A reusable workflow's token comes from its caller, which sets the permissions.
      const triggers = triggersOf(yaml);
      if (triggers.length > 0 && triggers.every((event) => event === 'workflow_call')) continue;
      const jobs = Object.entries(isMapping(root.jobs) ? root.jobs : {});
      const open = jobs
        .filter(([, config]) => isMapping(config) && config.permissions === undefined)
        .map(([job]) => `\`${job}\``);
      if (open.length === 0) continue;
      const subject = open.length === 1 ? `job ${open[0]} gets` : `jobs ${open.join(', ')} get`;
      report({
        message: `Workflow sets no top-level \`permissions\`, so ${subject} the repository's default GITHUB_TOKEN permissions`,
        location: yaml.locate(['jobs']) ?? yaml.file.fileStart(),
        key: 'permissions',
      });
    }
  },
});
