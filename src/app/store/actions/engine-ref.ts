// The engine client the actions talk to. Kept outside the store: it is an object with a worker, not data.

import { EngineClient } from '../../../worker/client.ts';
import { CancelledError } from '../../../worker/protocol.ts';

let engine: EngineClient | null = null;

export function setEngine(client: EngineClient | null): void {
  engine = client;
}

export function getEngine(): EngineClient {
  if (!engine) throw new Error('The engine is not started yet.');
  return engine;
}

export const isCancelled = (e: unknown) =>
  e instanceof CancelledError || (e as Error)?.name === 'CancelledError';

/** The message of anything thrown, for a banner or an inline error. */
export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
