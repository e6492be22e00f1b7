import type { Rule } from '../rule.js';

export const redisRules: Rule[] = [];
