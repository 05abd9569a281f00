// Showing tokens that are not whole characters. A byte-level BPE token can hold part of a UTF-8 character
// (an emoji is four bytes, often split over tokens); decoded alone it is U+FFFD or nothing. Such a token is
// shown as its bytes, `<0xF0 0x9F>`, read from its vocabulary piece: byte-level pieces spell each byte with
// one printable character (GPT-2's byte-to-unicode table: printable Latin-1 stands for itself, the other 68
// bytes for U+0100.. in order); SentencePiece byte pieces are already written `<0xF0>`.

const BYTE_OF_CHAR = (() => {
  const map = new Map<string, number>();
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  for (let b = 0; b < 256; b++) map.set(String.fromCodePoint(printable(b) ? b : 256 + extra++), b);
  return map;
})();

/** The bytes a vocabulary piece stands for, or null when it is not a byte-level or byte piece. */
export function pieceBytes(piece: string): number[] | null {
  const sp = piece.match(/^<0x([0-9A-Fa-f]{2})>$/);
  if (sp) return [parseInt(sp[1], 16)];
  const out: number[] = [];
  for (const ch of piece) {
    const b = BYTE_OF_CHAR.get(ch);
    if (b === undefined) return null;
    out.push(b);
  }
  return out;
}

/** Whether decoded token text is not a whole character: empty or with U+FFFD. */
export const isPartialText = (text: string) => text === '' || text.includes('\uFFFD');

/** `<0xF0 0x9F>` for bytes; a leading space byte stays a visible ␣ so " <bytes>" is told apart. */
export function bytesLabel(bytes: readonly number[]): string {
  const lead = bytes[0] === 0x20 ? '\u2423' : '';
  const rest = lead ? bytes.slice(1) : bytes;
  return `${lead}<${rest.map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ')}>`;
}
