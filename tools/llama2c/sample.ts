// The published greedy sample of stories260K, copied from karpathy/llama2.c's doc/stories260K.md ("Sampling this
// model at temperature 0.0 ... gives:", the output of `./run stories260K/stories260K.bin -z
// stories260K/tok512.bin -t 0.0`, which starts from BOS alone and stops after 256 positions). It is the
// expected output of a model we did not train: tests compare our generation to it word for word.

export const STORIES260K_GREEDY_SAMPLE =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\n' +
  'Lily\'s mom said, "Lily, let\'s go to the park." Lily was sad and didn\'t know what to do. She said, "I want to play with your ball, but I can\'t find it."\n' +
  "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I didn't know what to do.\"\n" +
  "Lily didn't want to help her mom, so she said, \"I'm sorry, mom. I didn't know what to do.\" Her mom said, \"Don't worry, Lily. We can help you.";

export const STORIES260K_DIR = new URL('../../../shared/data/stories260k/', import.meta.url);
