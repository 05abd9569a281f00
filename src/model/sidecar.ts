// The side-car store every model implementation shares (SideCar in language-model.ts): per linear (block, role),
// one term per owner. Setting and clearing only change which buffers the next recorded pass reads.

import type { LinearRole, LinearSpec, SideCar, SideCarTerm } from './language-model.ts';

export class SideCarStore implements SideCar {
  /** 'block.role' → owner → term (Map keeps insertion order, so terms apply in a stable order). */
  private readonly slots = new Map<string, Map<string, SideCarTerm>>();
  private readonly known: Set<string>;

  constructor(
    linears: readonly LinearSpec[],
    private readonly architecture: string,
  ) {
    this.known = new Set(linears.map((l) => `${l.block}.${l.role}`));
  }

  set(owner: string, block: number, role: LinearRole, term: SideCarTerm | null): void {
    const key = `${block}.${role}`;
    if (!this.known.has(key))
      throw new RangeError(`This ${this.architecture} model has no linear layer ${role} in block ${block}.`);
    let slot = this.slots.get(key);
    if (!term) {
      slot?.delete(owner);
      if (slot?.size === 0) this.slots.delete(key);
      return;
    }
    if (!slot) this.slots.set(key, (slot = new Map()));
    slot.set(owner, term);
  }

  clear(owner: string): void {
    for (const [key, slot] of this.slots) {
      slot.delete(owner);
      if (slot.size === 0) this.slots.delete(key);
    }
  }

  terms(block: number, role: LinearRole): readonly SideCarTerm[] {
    const slot = this.slots.get(`${block}.${role}`);
    return slot ? [...slot.values()] : NONE;
  }

  get empty(): boolean {
    return this.slots.size === 0;
  }
}

const NONE: readonly SideCarTerm[] = [];
