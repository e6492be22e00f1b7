import type { Dockerfile, DockerStage, ImageRef } from '../../model/types.js';
import { officialImageName } from '../../parsers/image-ref.js';
import { stageChain } from './stages.js';

/** Official images whose default variant is a full Debian with compilers, by short name. */
const SLIM_VARIANTS: Record<string, string> = {
  node: '`node:<version>-slim` or `node:<version>-alpine`',
  python: '`python:<version>-slim` or `python:<version>-alpine`',
  ruby: '`ruby:<version>-slim` or `ruby:<version>-alpine`',
  perl: '`perl:<version>-slim`',
  debian: '`debian:<release>-slim`',
};

/** Official images that are build toolchains, not runtimes. */
const TOOLCHAIN_IMAGES = new Set([
  'golang',
  'rust',
  'maven',
  'gradle',
  'gcc',
  'buildpack-deps',
  'sbt',
]);

/** Official Java images whose `jre` tags are the runtime-only variant. */
const JAVA_IMAGES = new Set(['openjdk', 'eclipse-temurin', 'ibm-semeru-runtimes', 'sapmachine']);

/**
 * Returns why an image is not a minimal runtime base and what to use instead, or undefined
 * when it is minimal or not known. Tags that still contain a variable are not judged.
 */
export function minimalBaseAdvice(ref: ImageRef): string | undefined {
  const tag = ref.tag ?? 'latest';
  if (tag.includes('$') || (ref.tag === undefined && ref.digest !== undefined)) return undefined;
  if (ref.registry === 'mcr.microsoft.com' && ref.repository === 'dotnet/sdk') {
    return 'is the .NET SDK; run the published output on `mcr.microsoft.com/dotnet/aspnet` or `dotnet/runtime`';
  }
  const name = officialImageName(ref);
  if (name === undefined) return undefined;
  if (TOOLCHAIN_IMAGES.has(name)) {
    return `is the \`${name}\` build toolchain; build in an earlier stage and copy the result onto a runtime base such as distroless, alpine or scratch`;
  }
  if (JAVA_IMAGES.has(name) && !/jre/.test(tag)) {
    return 'ships a full JDK; a JRE tag such as `eclipse-temurin:21-jre-alpine` is enough to run the application';
  }
  const slim = SLIM_VARIANTS[name];
  if (slim && !/(^|-)(slim|alpine)/.test(tag) && !/windowsservercore|nanoserver/.test(tag)) {
    return `is the full variant; use ${slim}`;
  }
  return undefined;
}

/** Returns the stage that names the base image of stage `index`, following `FROM <stage>`. */
export function rootStage(dockerfile: Dockerfile, index: number): DockerStage | undefined {
  const chain = stageChain(dockerfile, index);
  return chain[chain.length - 1];
}
