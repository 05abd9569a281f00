// A small ONNX graph builder over ProtoMessage: named values, nodes with attributes, initializers from typed
// arrays, and graph inputs/outputs with symbolic dims. Field numbers are onnx.proto3's (IR version 8).

import { ProtoMessage } from './protobuf.ts';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

export type AttrValue = number | number[] | string | { floats: number[] } | { float: number };
export type Dim = number | string;

interface ValueInfo {
  name: string;
  elemType: number;
  dims: Dim[];
}

const IR_VERSION = 8;

export class OnnxGraph {
  private readonly nodes: ProtoMessage[] = [];
  private readonly initializers: ProtoMessage[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push({ name, elemType, dims });
  }

  /** A float32 initializer; the array's bytes are referenced, not copied. */
  floats(name: string, dims: number[], data: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count)
      throw new RangeError(`ONNX initializer ${name}: ${data.length} values for shape [${dims}].`);
    const t = new ProtoMessage().packedVarints(1, dims).varint(2, ONNX_FLOAT).string(8, name);
    t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.initializers.push(t);
    return name;
  }

  /** An int64 initializer (shapes, axes, split sizes). */
  ints(name: string, values: number[], dims: number[] = [values.length]): string {
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    const t = new ProtoMessage().packedVarints(1, dims).varint(2, ONNX_INT64).string(8, name);
    t.bytes(9, new Uint8Array(raw.buffer));
    this.initializers.push(t);
    return name;
  }

  /** A scalar float initializer. */
  scalar(name: string, value: number): string {
    return this.floats(name, [], Float32Array.of(value));
  }

  /** Adds a node; returns its outputs (fresh names unless given). */
  node(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    outputs?: string[] | number,
  ): string[] {
    const outs = Array.isArray(outputs)
      ? outputs
      : Array.from({ length: outputs ?? 1 }, () => this.fresh(opType.toLowerCase()));
    const n = new ProtoMessage();
    for (const i of inputs) n.string(1, i);
    for (const o of outs) n.string(2, o);
    n.string(3, this.fresh(`n_${opType}`));
    n.string(4, opType);
    for (const [key, v] of Object.entries(attrs)) n.message(5, attribute(key, v));
    this.nodes.push(n);
    return outs;
  }

  /** One-output shorthand. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(opType, inputs, attrs, output ? [output] : 1)[0];
  }

  /** The serialized ModelProto. */
  serialize(meta: { opset: number; producer: string; version: string }): Uint8Array {
    const g = new ProtoMessage();
    for (const n of this.nodes) g.message(1, n);
    g.string(2, this.name);
    for (const t of this.initializers) g.message(5, t);
    for (const v of this.inputs) g.message(11, valueInfo(v));
    for (const v of this.outputs) g.message(12, valueInfo(v));
    const opset = new ProtoMessage().string(1, '').varint(2, meta.opset);
    const model = new ProtoMessage()
      .varint(1, IR_VERSION)
      .string(2, meta.producer)
      .string(3, meta.version)
      .message(7, g)
      .message(8, opset);
    return model.toBytes();
  }
}

function attribute(name: string, v: AttrValue): ProtoMessage {
  const a = new ProtoMessage().string(1, name);
  // AttributeProto.type: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7.
  if (typeof v === 'number') return a.varint(3, v).varint(20, 2);
  if (typeof v === 'string') return a.string(4, v).varint(20, 3);
  if (Array.isArray(v)) return a.packedVarints(8, v).varint(20, 7);
  if ('float' in v) return a.float(2, v.float).varint(20, 1);
  for (const f of v.floats) a.float(7, f);
  return a.varint(20, 6);
}

function valueInfo(v: ValueInfo): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of v.dims) {
    const dim = new ProtoMessage();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensor = new ProtoMessage().varint(1, v.elemType).message(2, shape);
  const type = new ProtoMessage().message(1, tensor);
  return new ProtoMessage().string(1, v.name).message(2, type);
}
