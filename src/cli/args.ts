// Small helpers over node:util parseArgs: typed options, readable usage errors.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export type Values = Record<string, string | boolean | undefined> & { json?: boolean; debug?: boolean };

export function parse(argv: string[], options: Options, usage: string): { values: Values } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { ...options, json: { type: 'boolean' }, debug: { type: 'boolean' } },
      allowPositionals: false,
      strict: true,
    });
    return { values: values as Values };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}\nUsage: ${usage}`);
  }
}

export function requireString(values: Record<string, unknown>, name: string, usage: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`Missing --${name}.\nUsage: ${usage}`);
  return v;
}

export function intOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${String(v)}").`);
  return n;
}

export function floatOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max} (got "${String(v)}").`);
  return n;
}

/** Prints `json` as one object on stdout with --json, else the human text. */
export function output(values: { json?: boolean }, json: unknown, text: () => string): void {
  process.stdout.write(values.json ? JSON.stringify(json) + '\n' : text() + '\n');
}
