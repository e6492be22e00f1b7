/**
 * Short-lived state shared by API replicas: sessions and rate-limit counters. Redis in
 * production, a Map in process for the embedded default and tests.
 */
export interface KeyValueStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Counts a hit in a fixed window that starts with the first hit. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
