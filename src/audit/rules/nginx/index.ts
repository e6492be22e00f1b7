import type { Rule } from '../rule.js';
import { addHeaderRedefinitionRule } from './add-header-redefinition.js';
import { aliasTraversalRule } from './alias-traversal.js';
import { autoindexOnRule } from './autoindex-on.js';
import { corsAnyOriginRule } from './cors-any-origin.js';
import { headerWithoutAlwaysRule } from './header-without-always.js';
import { hostHeaderSpoofingRule } from './host-header-spoofing.js';
import { httpNotRedirectedRule } from './http-not-redirected.js';
import { httpSplittingRule } from './http-splitting.js';
import { missingSecurityHeadersRule } from './missing-security-headers.js';
import { proxyWithoutRateLimitRule } from './proxy-without-rate-limit.js';
import { serverTokensOnRule } from './server-tokens-on.js';
import { undefinedLimitZoneRule } from './undefined-limit-zone.js';
import { unlimitedBodySizeRule } from './unlimited-body-size.js';
import { weakHstsRule } from './weak-hsts.js';
import { weakTlsCiphersRule } from './weak-tls-ciphers.js';
import { weakTlsProtocolsRule } from './weak-tls-protocols.js';
import { xssProtectionEnabledRule } from './x-xss-protection-enabled.js';

/** nginx rules in id order. */
export const nginxRules: Rule[] = [
  missingSecurityHeadersRule,
  headerWithoutAlwaysRule,
  addHeaderRedefinitionRule,
  xssProtectionEnabledRule,
  weakTlsProtocolsRule,
  weakTlsCiphersRule,
  httpNotRedirectedRule,
  proxyWithoutRateLimitRule,
  undefinedLimitZoneRule,
  serverTokensOnRule,
  corsAnyOriginRule,
  weakHstsRule,
  aliasTraversalRule,
  hostHeaderSpoofingRule,
  httpSplittingRule,
  autoindexOnRule,
  unlimitedBodySizeRule,
];
