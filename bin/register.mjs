// Lets Node run the engine's TypeScript sources directly: tsx for .ts, our hook for WGSL `?raw` imports.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./wgsl-raw-loader.mjs', import.meta.url);
