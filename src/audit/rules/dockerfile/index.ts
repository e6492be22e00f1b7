import type { Rule } from '../rule.js';
import { addInsteadOfCopyRule } from './add-instead-of-copy.js';
import { apkNoCacheRule } from './apk-no-cache.js';
import { appFileOwnershipRule } from './app-file-ownership.js';
import { aptInstallRecommendsRule } from './apt-install-recommends.js';
import { baseImageDigestRule } from './base-image-digest.js';
import { baseImageTagRule } from './base-image-tag.js';
import { finalStageRootRule } from './final-stage-root.js';
import { healthcheckMissingRule } from './healthcheck-missing.js';
import { minimalBaseImageRule } from './minimal-base-image.js';
import { multipleCmdEntrypointRule } from './multiple-cmd-entrypoint.js';
import { npmDevDependenciesRule } from './npm-dev-dependencies.js';
import { npmInstallInsteadOfCiRule } from './npm-install-instead-of-ci.js';
import { npmProductionFlagRule } from './npm-production-flag.js';
import { packageCacheInLayerRule } from './package-cache-in-layer.js';
import { pipNoCacheDirRule } from './pip-no-cache-dir.js';
import { remoteAddWithoutChecksumRule } from './remote-add-without-checksum.js';
import { remoteScriptPipedToShellRule } from './remote-script-piped-to-shell.js';
import { runWithSudoRule } from './run-with-sudo.js';
import { secretFileCopiedRule } from './secret-file-copied.js';
import { secretInBuildConfigRule } from './secret-in-build-config.js';
import { toolchainInFinalStageRule } from './toolchain-in-final-stage.js';

/** Dockerfile rules in id order. */
export const dockerfileRules: Rule[] = [
  baseImageTagRule,
  baseImageDigestRule,
  minimalBaseImageRule,
  finalStageRootRule,
  toolchainInFinalStageRule,
  appFileOwnershipRule,
  aptInstallRecommendsRule,
  packageCacheInLayerRule,
  apkNoCacheRule,
  pipNoCacheDirRule,
  secretInBuildConfigRule,
  secretFileCopiedRule,
  addInsteadOfCopyRule,
  remoteScriptPipedToShellRule,
  healthcheckMissingRule,
  multipleCmdEntrypointRule,
  npmInstallInsteadOfCiRule,
  npmDevDependenciesRule,
  npmProductionFlagRule,
  runWithSudoRule,
  remoteAddWithoutChecksumRule,
];
