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

/** A numeric option within [min, max]; `integer` also requires a whole number. */
function numberOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${String(v)}").`,
    );
  }
  return n;
}

export const intOption = (
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
) => numberOption(values, name, fallback, min, max, true);

export const floatOption = (
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
) => numberOption(values, name, fallback, min, max, false);

/** Prints `json` as one object on stdout with --json, else the human text. */
export function output(values: { json?: boolean }, json: unknown, text: () => string): void {
  process.stdout.write(values.json ? JSON.stringify(json) + '\n' : text() + '\n');
}
