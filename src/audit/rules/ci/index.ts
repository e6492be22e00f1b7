import type { Rule } from '../rule.js';
import { defaultTokenPermissionsRule } from './default-token-permissions.js';
import { imageNotScannedRule } from './image-not-scanned.js';
import { noSlaGateRule } from './no-sla-gate.js';
import { permissionsWriteAllRule } from './permissions-write-all.js';
import { scanDoesNotFailRule } from './scan-does-not-fail.js';
import { scanSeverityExcludesHighRule } from './scan-severity-excludes-high.js';
import { scriptInjectionRule } from './script-injection.js';
import { secretPrintedRule } from './secret-printed.js';
import { unpinnedActionRule } from './unpinned-action.js';
import { untrustedCheckoutRule } from './untrusted-checkout.js';

/** CI workflow rules in id order. */
export const ciRules: Rule[] = [
  imageNotScannedRule,
  scanDoesNotFailRule,
  scanSeverityExcludesHighRule,
  unpinnedActionRule,
  permissionsWriteAllRule,
  defaultTokenPermissionsRule,
  untrustedCheckoutRule,
  scriptInjectionRule,
  noSlaGateRule,
  secretPrintedRule,
];
