import type { Rule } from '../rule.js';

export const secretRules: Rule[] = [];
