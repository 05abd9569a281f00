import { describe, expect, it } from 'vitest';
import { loadBundledGpt2Tokenizer } from './gpt2-tokenizer-bundled.ts';
import { gpt2TokenizerJsonFromPackage } from './gpt2-tokenizer-node.ts';

describe('loadBundledGpt2Tokenizer', () => {
  it('builds through the bundler the same tokenizer.json as the Node loader', async () => {
    const bundled = await loadBundledGpt2Tokenizer();
    expect(JSON.parse(bundled.json)).toEqual(gpt2TokenizerJsonFromPackage());
    expect(bundled.encode(' Hello world')).toEqual([18435, 995]);
  });
});
