import type { Rule } from '../rule.js';

export const postgresqlRules: Rule[] = [];
