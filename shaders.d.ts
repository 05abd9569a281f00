// WGSL sources are imported as strings (`import src from '../../shaders/matmul.wgsl?raw'`), in Vite and in vitest.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
