import { defineRule } from '../rule.js';
import { findTokens, maskSecret } from './patterns.js';

/** Puts `a` or `an` before a credential kind, by the sound of its first letter ("an AWS ..."). */
function withArticle(kind: string): string {
  return /^[aeiou]/i.test(kind) ? `an ${kind}` : `a ${kind}`;
}

export const credentialInFileRule = defineRule({
  id: 'SC004',
  name: 'private-key-or-token',
  title: 'Private key or access token in a file',
  severity: 'high',
  layer: 'data',
  target: 'secrets',
  control: 'data.secrets-management',
  status: 'stable',
  rationale:
    'Private keys and provider tokens (AWS, GitHub, GitLab, Slack, Stripe, Google, npm) grant access on their own, without a username, and automated scanners harvest them from public repositories within minutes of a push. ' +
    'Their formats are distinctive enough to report wherever they appear, whatever the variable or file is called.',
  fix: 'Remove the key or token from the file, revoke it at the provider, and load the replacement from a secret store, a Compose secret or an ignored env file.',
  references: [
    'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning',
    'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
  ],
  limitations: [
    'Only files InfraPrime reads as deployment files (compose, Dockerfiles, env files, proxy, database and CI configuration) are searched.',
    'Documented example values containing `EXAMPLE`, such as `AKIAIOSFODNN7EXAMPLE`, are skipped.',
  ],
  check(model, report) {
    for (const [path, file] of model.files) {
      for (const match of findTokens(file.text)) {
        const masked = match.kind === 'private key' ? match.token : maskSecret(match.token);
        report({
          message: `'${path}' contains ${withArticle(match.kind)}`,
          location: file.rangeAt(match.start, match.end),
          key: `${match.kind}:${masked}`,
          evidence: masked,
        });
      }
    }
  },
});
