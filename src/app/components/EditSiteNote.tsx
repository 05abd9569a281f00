// One line under the result's heading: which weights the edit changed and, for ROME, which token's key it
// rewrote and why that site (the model's rome-site.json names the causal trace that chose it).

import type { EditSite } from '../../engine/types.ts';

const KEY_TOKENS: Record<string, string> = {
  subject_last: 'the subject’s last token',
  last: 'the prompt’s last token',
};

/** "h.0.mlp.c_proj.weight", or "h.3.mlp.c_fc.weight and 5 more" for the hypernetworks' six matrices. */
export function weightsText(weights: readonly string[]): string {
  if (weights.length <= 2) return weights.join(' and ');
  return `${weights[0]} and ${weights.length - 1} more`;
}

export function EditSiteNote({ site }: { site: EditSite }) {
  if (site.weights.length === 0) return null;
  const key = site.keyToken ? (KEY_TOKENS[site.keyToken] ?? site.keyToken) : null;
  return (
    <p className="muted edit-site" data-testid="edit-site" title={site.weights.join('\n')}>
      Changed {weightsText(site.weights)}
      {key && <>, keyed on {key}</>}
      {site.source && <span className="edit-site-source"> (site: {site.source})</span>}
    </p>
  );
}
