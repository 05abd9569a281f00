// Real facts from well-kept npm packages: countries-list (MIT) for countries, capitals, continents, languages
// and currencies; chemical-elements (MIT, cheminfo) for element symbols and atomic numbers.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface Fact {
  subject: string;
  relation: string;
  object: string;
}

interface Country {
  name: string;
  capital: string;
  continent: string;
  currency: string[];
  languages: string[];
}

/** Names must be plain enough to read as one phrase in an English sentence. */
const PLAIN = /^\p{L}(?:[\p{L} .'-]*[\p{L}.])?$/u;

export function loadFacts(): Fact[] {
  const countriesList = require('countries-list') as {
    countries: Record<string, Country>;
    continents: Record<string, string>;
    languages: Record<string, { name: string }>;
  };
  const currencies = (
    require('countries-list/currencies') as { currencies: Record<string, { name: string }> }
  ).currencies;
  const facts: Fact[] = [];
  const add = (subject: string, relation: string, object: string | undefined) => {
    if (object && PLAIN.test(subject) && PLAIN.test(object) && subject !== object)
      facts.push({ subject, relation, object });
  };
  const countries = Object.values(countriesList.countries).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const capitalCount = new Map<string, number>();
  for (const c of countries)
    if (c.capital) capitalCount.set(c.capital, (capitalCount.get(c.capital) ?? 0) + 1);
  for (const c of countries) {
    add(c.name, 'capital', c.capital);
    // The inverse only where it is unambiguous (several territories share a capital name).
    if (capitalCount.get(c.capital) === 1) add(c.capital, 'capital_of', c.name);
    add(c.name, 'continent', countriesList.continents[c.continent]);
    add(c.name, 'language', countriesList.languages[c.languages[0]]?.name);
    add(c.name, 'currency', currencies[c.currency[0]]?.name);
  }
  const { elements } = require('chemical-elements') as {
    elements: { number: number; symbol: string; name: string }[];
  };
  for (const e of elements) {
    add(e.name, 'symbol', e.symbol);
    add(e.symbol, 'symbol_of', e.name);
    facts.push({ subject: e.name, relation: 'atomic_number', object: String(e.number) });
  }
  return dedupe(facts);
}

/** One object per (subject, relation); a subject that is also another kind of subject stays distinct by relation. */
function dedupe(facts: Fact[]): Fact[] {
  const seen = new Set<string>();
  return facts.filter((f) => {
    const key = `${f.subject}\u0000${f.relation}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The packages the facts come from, as installed: `name@version` → the license their package.json declares. */
export function factSources(): Record<string, string> {
  const entries = ['countries-list', 'chemical-elements'].map((name) => {
    // Walk up from the entry point: countries-list's `exports` hides its package.json from require.
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json')) || readManifest(dir).name !== name) {
      if (dirname(dir) === dir) throw new Error(`build-world: cannot find the package.json of ${name}.`);
      dir = dirname(dir);
    }
    const { version, license } = readManifest(dir);
    return [`${name}@${version}`, String(license)];
  });
  return Object.fromEntries(entries);
}

const readManifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
    license?: unknown;
  };
