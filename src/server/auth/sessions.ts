import type { KeyValueStore } from '../stores/store.js';
import { hashSecret, randomSecret } from './secrets.js';

export const SESSION_COOKIE = '__Host-infraprime-session';

export interface SessionData {
  userId: string;
  csrfToken: string;
  createdAt: number;
  /** Epoch milliseconds after which the session ends however it is used. */
  absoluteExpiresAt: number;
}

export interface SessionSettings {
  idleMs: number;
  absoluteMs: number;
}

/** The store key is a hash of the session id, so a dump of the store cannot log anyone in. */
function keyOf(sessionId: string): string {
  return `session:${hashSecret(sessionId)}`;
}

export async function createSession(
  store: KeyValueStore,
  userId: string,
  settings: SessionSettings,
  now = Date.now(),
): Promise<{ sessionId: string; session: SessionData }> {
  const sessionId = randomSecret();
  const session: SessionData = {
    userId,
    csrfToken: randomSecret(),
    createdAt: now,
    absoluteExpiresAt: now + settings.absoluteMs,
  };
  await store.set(keyOf(sessionId), JSON.stringify(session), settings.idleMs);
  return { sessionId, session };
}

/** Loads a live session and extends its idle timeout, up to the absolute limit. */
export async function touchSession(
  store: KeyValueStore,
  sessionId: string,
  settings: SessionSettings,
  now = Date.now(),
): Promise<SessionData | null> {
  const text = await store.get(keyOf(sessionId));
  if (!text) return null;
  const session = JSON.parse(text) as SessionData;
  const remaining = session.absoluteExpiresAt - now;
  if (remaining <= 0) {
    await store.delete(keyOf(sessionId));
    return null;
  }
  await store.set(keyOf(sessionId), text, Math.min(settings.idleMs, remaining));
  return session;
}

export async function destroySession(store: KeyValueStore, sessionId: string): Promise<void> {
  await store.delete(keyOf(sessionId));
}
