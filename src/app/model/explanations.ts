// One paragraph per method and per metric, written for a class. Shown in the UI next to the picker and the
// metric cards. Sources: /shared/method.md and the methods' papers.

import type { MethodName } from '../../engine/types.ts';

export interface Explanation {
  title: string;
  text: string;
}

// Partial: a method added elsewhere shows without a paragraph until one is written here.
export const METHOD_EXPLANATIONS: Partial<Record<MethodName, Explanation>> = {
  ibke: {
    title: 'IBKE: information-bottleneck knowledge editing',
    text:
      'IBKE as described in the paper (Chen et al. 2025, “An Information-Theoretic Framework for Robust Large Language Model Editing”); details marked as our choices. ' +
      'A small trained editor reads the gradient of the edit loss at the last MLP layers and squeezes it through a narrow latent code Z (the bottleneck), built from a learnable sequence of length l_m. ' +
      'Training asks three things of Z: carry as little about the edit as possible (a KL penalty weighted by β), carry enough for the new fact to hold under other phrasings (generality), and leave unrelated prompts alone (locality). ' +
      'The decoder turns Z into a low-rank weight change with a per-token scale factor. Our choices: the gradient tokens, the cross-attention encoder and decoder, softplus for the scale, and MEND’s rank-one-sum form of the update.',
  },
  mend: {
    title: 'MEND: a hypernetwork that edits gradients',
    text:
      'MEND (Mitchell et al. 2022) trains a small network that takes the fine-tuning gradient of one edit at a few MLP layers, which for one layer is a sum of rank-one pieces (layer input × output gradient, per token), and maps each piece to a better one. ' +
      'The result is added to the weights in one shot, without any optimisation at edit time. The editor is trained beforehand on many edits so that its updates generalise to paraphrases and leave other prompts unchanged.',
  },
  rome: {
    title: 'ROME: rank-one model editing',
    text:
      'ROME (Meng et al. 2022) treats one MLP layer as a key–value memory: the key is the activation at the subject’s last token, the value is what the layer writes back into the residual stream. ' +
      'It finds a value that makes the model say the new target (a few gradient steps on a single vector), then changes the layer’s weight by a rank-one update so that this key now maps to that value, while keys of other subjects (measured by their covariance) move as little as possible. No training beforehand.',
  },
  ft: {
    title: 'FT-L: constrained fine-tuning',
    text:
      'The baseline: plain gradient descent (Adam) on one MLP weight matrix to make the target likely after the prompt, with every weight kept within a small distance ε of its original value (Zhu et al. 2020). ' +
      'It often makes the edit prompt work but generalises poorly to paraphrases and can disturb unrelated facts, which is what the other methods try to improve on.',
  },
  ultraedit: {
    title: 'UltraEdit: training-free lifelong editing',
    text:
      'UltraEdit (Gu et al. 2025) needs no trained editor and no statistics collected beforehand. One forward and backward pass on the edit gives, at the answer tokens, each edited layer’s inputs and output gradients; ' +
      'they are normalised by a running mean and spread kept across all edits so far (its “lifelong normalisation”), and the weight change is the closed-form least-squares solution that maps those inputs to the scaled gradients. ' +
      'It edits the MLP output weights of the upper half of the blocks and is built for long sequences of edits.',
  },
};

export type MetricName = 'reliability' | 'generality' | 'locality' | 'kl' | 'update' | 'latency';

export const METRIC_EXPLANATIONS: Record<MetricName, Explanation> = {
  reliability: {
    title: 'Reliability',
    text: 'Does the edited model give the new answer to the edit prompt itself? For each token of the target (fed in one at a time, “teacher-forced”), we check whether it is the model’s top prediction, and average. 100% means the edit took. Below it: “exact”, the share of edits where every target token is the top prediction (a long target can score 67% on tokens and 0% exact), and “unedited”, the same score of the model before the edit: a method is worth only what it adds above that floor.',
  },
  generality: {
    title: 'Generality',
    text: 'The same check on the generalization probes: other ways of asking the same question. A model that only memorised the exact sentence scores low here; one that changed the underlying fact scores high. “Exact” and “unedited” as for reliability.',
  },
  locality: {
    title: 'Locality',
    text: 'On the locality probes (facts the edit should not touch), does the edited model still give the answer it gave before the edit? 100% means nothing else moved, as far as these probes can tell.',
  },
  kl: {
    title: 'KL divergence',
    text: 'How much the whole next-token distribution changed on the locality probes: KL(before ‖ after), averaged. Zero means identical; the top answer can stay the same while the rest of the distribution shifts, which this number catches and locality does not.',
  },
  update: {
    title: 'Update size',
    text: 'How far the edit moved the weights: for each weight matrix the edit changes, the size of the change relative to the matrix itself (‖ΔW‖ / ‖W‖, Frobenius norms), largest over the matrices. MEND and IBKE change six matrices, FT-L and ROME one: compare methods at a similar size, and expect large updates to disturb more.',
  },
  latency: {
    title: 'Edit latency',
    text: 'Wall-clock time to compute and apply the weight change, on your GPU, excluding the before/after measurements. Hypernetwork editors (MEND, IBKE) pay their cost in training and edit in one pass; ROME and FT-L optimise at edit time.',
  },
};
