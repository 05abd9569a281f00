// Moved to src/model/batch.ts (architecture-neutral); kept so existing imports keep working.
export * from '../batch.ts';
