import type { Rule } from '../rule.js';

export const nginxRules: Rule[] = [];
