import type { Rule } from '../rule.js';
import { credentialInFileRule } from './credential-in-file.js';
import { envFileNotIgnoredRule } from './env-file-not-ignored.js';
import { envTemplateRealValueRule } from './env-template-real-value.js';
import { hardcodedComposeSecretRule } from './hardcoded-compose-secret.js';

/** Secret rules in id order. */
export const secretRules: Rule[] = [
  hardcodedComposeSecretRule,
  envTemplateRealValueRule,
  envFileNotIgnoredRule,
  credentialInFileRule,
];
