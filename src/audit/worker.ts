import { parentPort, workerData } from 'node:worker_threads';
import { auditPath } from './engine.js';
import type { ShardResult, ShardTask } from './parallel.js';
import { allRules } from './rules/registry.js';

// Audits one shard of a tree for `auditPathParallel` and posts the result as plain data.
const task = workerData as ShardTask;
const { ruleIds, now, ...options } = task.options;
const result = auditPath(task.root, {
  ...options,
  now: new Date(now),
  discovery: task.discovery,
  ...(ruleIds ? { rules: allRules.filter((rule) => ruleIds.includes(rule.id)) } : {}),
});
const reply: ShardResult = {
  findings: result.findings,
  files: [...result.files].map(([path, file]) => [path, file.text]),
  kinds: [...result.kinds],
  inputErrors: result.inputErrors,
};
parentPort?.postMessage(reply);
