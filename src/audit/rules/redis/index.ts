import type { Rule } from '../rule.js';
import { bindAllInterfacesRule } from './bind-all-interfaces.js';
import { dangerousCommandsRule } from './dangerous-commands.js';
import { noAuthenticationRule } from './no-authentication.js';
import { passwordOnCommandLineRule } from './password-on-command-line.js';
import { protectedModeOffRule } from './protected-mode-off.js';
import { tlsDisabledRule } from './tls-disabled.js';

/** Redis rules in id order. */
export const redisRules: Rule[] = [
  noAuthenticationRule,
  protectedModeOffRule,
  tlsDisabledRule,
  dangerousCommandsRule,
  bindAllInterfacesRule,
  passwordOnCommandLineRule,
];
