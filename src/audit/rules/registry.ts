import { ciRules } from './ci/index.js';
import { composeRules } from './compose/index.js';
import { coreRules } from './core/index.js';
import { dockerfileRules } from './dockerfile/index.js';
import { nginxRules } from './nginx/index.js';
import { postgresqlRules } from './postgresql/index.js';
import { redisRules } from './redis/index.js';
import type { Rule } from './rule.js';
import { secretRules } from './secrets/index.js';

/** Every rule, sorted by id. Each target's index lists its rules in id order. */
export const allRules: readonly Rule[] = [
  ...ciRules,
  ...composeRules,
  ...coreRules,
  ...dockerfileRules,
  ...nginxRules,
  ...postgresqlRules,
  ...redisRules,
  ...secretRules,
].sort((a, b) => (a.id < b.id ? -1 : 1));

export function findRule(idOrName: string): Rule | undefined {
  const wanted = idOrName.toUpperCase();
  return allRules.find((rule) => rule.id === wanted || rule.name.toUpperCase() === wanted);
}
