// A minimal protocol-buffers writer, enough for ONNX's ModelProto: varints, length-delimited fields (strings,
// bytes, nested messages, packed repeated ints) and fixed32 floats. A message is a list of byte chunks plus its
// length, so a weight's bytes are referenced, not copied, until the one final concatenation.

export class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  length = 0;

  /** Field `n`, wire type 0 (int32/int64/enum/bool); negative values as 10-byte two's complement (axis = -1). */
  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** Field `n`, wire type 5 (float). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.flush();
    this.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(value.length);
    this.flush();
    this.push(value);
    return this;
  }

  message(field: number, m: ProtoMessage): this {
    this.tag(field, 2);
    this.rawVarint(m.length);
    this.flush();
    for (const c of m.finish()) this.push(c);
    return this;
  }

  /** Packed repeated int64 (proto3's default encoding for repeated scalars). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoMessage();
    for (const v of values) inner.rawVarint(v);
    this.tag(field, 2);
    this.rawVarint(inner.length);
    this.flush();
    for (const c of inner.finish()) this.push(c);
    return this;
  }

  /** The chunks, in order (the message may not be written to afterwards). */
  finish(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  /** The whole message as one buffer. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.finish()) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v); // two's complement, 10 bytes, as protobuf does for negative int64
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.scratch.push(byte);
      this.length++;
    } while (v > 0n);
  }

  private push(c: Uint8Array): void {
    this.chunks.push(c);
    this.length += c.length;
  }

  private flush(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }
}
