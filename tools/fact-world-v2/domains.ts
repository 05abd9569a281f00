// fact-world v2's relations grouped by the kind of subject (issue 13 item 6, the IBKE paper's domain transfer:
// train an editor on one domain, test it on the others). `--relations` of eval and train-editor takes a group.
//   npx tsx tools/fact-world-v2/domains.ts            # prints "domain<TAB>relations" lines for scripts

import { RELATIONS_V2 } from './relations.ts';

export const DOMAINS = {
  countries: ['capital', 'capital_of', 'continent', 'language', 'currency'],
  elements: ['symbol', 'symbol_of', 'atomic_number'],
  things: ['landmark_country', 'star_constellation', 'company_hq'],
  people: ['person_occupation', 'person_instrument', 'person_sport'],
} as const satisfies Record<string, readonly string[]>;

export type Domain = keyof typeof DOMAINS;

/** Every v2 relation is in exactly one domain (checked by the test). */
export function domainOf(relation: string): Domain | undefined {
  return (Object.keys(DOMAINS) as Domain[]).find((d) => (DOMAINS[d] as readonly string[]).includes(relation));
}

export const allRelationsCovered = () => RELATIONS_V2.every((r) => domainOf(r.id) !== undefined);

if (import.meta.url === `file://${process.argv[1]}`)
  for (const [d, rs] of Object.entries(DOMAINS)) console.log(`${d}\t${rs.join(',')}`);
