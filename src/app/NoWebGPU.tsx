// Shown instead of the playground when the browser has no WebGPU: what is missing and how to get it.

export function NoWebGPU({ detail }: { detail: string }) {
  return (
    <main className="no-webgpu" data-testid="no-webgpu">
      <h1>Editscope needs WebGPU</h1>
      <p>{detail}</p>
      <ul>
        <li>Chrome or Edge 113 or newer, on Windows, macOS or ChromeOS: WebGPU is on by default.</li>
        <li>
          Chrome on Linux: start it with <code>--enable-unsafe-webgpu</code> (and{' '}
          <code>--enable-features=Vulkan</code> on some drivers).
        </li>
        <li>
          Firefox 141+ on Windows, or Safari 26+: WebGPU is on by default; older versions have it behind a
          flag.
        </li>
        <li>
          Check <code>chrome://gpu</code>: &ldquo;WebGPU: Hardware accelerated&rdquo; should appear. A
          blocklisted GPU driver can also hide it.
        </li>
      </ul>
      <p>The models run entirely on your machine; nothing you type is sent anywhere.</p>
    </main>
  );
}
