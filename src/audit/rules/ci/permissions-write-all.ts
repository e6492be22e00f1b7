import { defineRule } from '../rule.js';
import { isGithubWorkflow, isMapping, valueLocation } from './workflow.js';

export const permissionsWriteAllRule = defineRule({
  id: 'CI005',
  name: 'permissions-write-all',
  title: 'Workflow grants the GITHUB_TOKEN write access to everything',
  severity: 'medium',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.ci-token-permissions',
  status: 'stable',
  rationale:
    '`permissions: write-all` gives the job token write access to every scope: code, packages, releases, deployments, issues and more. ' +
    'Any step that is compromised, or that runs injected input, can then push commits, publish packages or alter releases with it. ' +
    'A job needs only the few scopes it uses.',
  fix: 'Replace `write-all` with the scopes the job needs, such as `contents: read` and `packages: write`, and set `permissions: {}` where none are needed.',
  limitations: ['A list that grants `write` to each scope one by one is not reported.'],
  references: [
    'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions',
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      const root = yaml.documents[0];
      if (!isGithubWorkflow(yaml) || !isMapping(root)) continue;
      const holders: Array<{ path: string[]; config: unknown; scope: string }> = [
        { path: [], config: root, scope: 'every job' },
      ];
      for (const [job, config] of Object.entries(isMapping(root.jobs) ? root.jobs : {})) {
        holders.push({ path: ['jobs', job], config, scope: `job \`${job}\`` });
      }
      for (const { path, config, scope } of holders) {
        if (!isMapping(config) || config.permissions !== 'write-all') continue;
        report({
          message: `\`permissions: write-all\` gives the GITHUB_TOKEN of ${scope} write access to every scope`,
          location: valueLocation(yaml, [...path, 'permissions']),
          key: [...path, 'permissions'].join('.'),
        });
      }
    }
  },
});
