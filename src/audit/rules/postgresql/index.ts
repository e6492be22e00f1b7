import type { Rule } from '../rule.js';
import { composeHostAuthMethodRule } from './compose-host-auth-method.js';
import { composePostgresWithoutTlsRule } from './compose-postgres-without-tls.js';
import { hbaHostWithoutSslRule } from './hba-host-without-ssl.js';
import { hbaHostnosslLoginRule } from './hba-hostnossl-login.js';
import { hbaTrustRule } from './hba-trust.js';
import { hbaWeakPasswordMethodRule } from './hba-weak-password-method.js';
import { listenAllAddressesRule } from './listen-all-addresses.js';
import { md5PasswordEncryptionRule } from './md5-password-encryption.js';
import { sslDisabledRule } from './ssl-disabled.js';
import { weakSslMinProtocolRule } from './weak-ssl-min-protocol.js';

/** PostgreSQL rules in id order. */
export const postgresqlRules: Rule[] = [
  hbaTrustRule,
  hbaWeakPasswordMethodRule,
  hbaHostWithoutSslRule,
  hbaHostnosslLoginRule,
  sslDisabledRule,
  md5PasswordEncryptionRule,
  weakSslMinProtocolRule,
  listenAllAddressesRule,
  composePostgresWithoutTlsRule,
  composeHostAuthMethodRule,
];
