// Saving bytes the worker made (patch files, ONNX folders, editors) as a download in the user's browser.

/** Starts a download of `bytes` (a ZIP) under `name`; the object URL is freed once the browser has taken it. */
export function downloadZip(bytes: Uint8Array, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

/** A model name made safe for a file name. */
export const fileSlug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 60) || 'model';
