import type { Rule } from '../rule.js';
import { imageNotScannedRule } from './image-not-scanned.js';
import { scanDoesNotFailRule } from './scan-does-not-fail.js';
import { scanSeverityExcludesHighRule } from './scan-severity-excludes-high.js';

/** CI workflow rules in id order. */
export const ciRules: Rule[] = [
  imageNotScannedRule,
  scanDoesNotFailRule,
  scanSeverityExcludesHighRule,
];
