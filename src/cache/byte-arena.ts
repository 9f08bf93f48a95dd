// Byte storage for cache entries: many small octet strings packed into large chunks, so a cached
// entry costs its bytes plus a few fields instead of one typed array (and, above 64 octets, one
// ArrayBuffer with an off-heap backing store) per RDATA. Measured on Node 20: a separate
// Uint8Array of 150 octets costs ~184 heap octets besides its data, a view into a shared chunk ~96,
// and a slot here (chunk reference and offset in the entry's own object) nothing more.
//
// Entries hold a slot: the chunk their bytes live in and the offset. Freeing a slot only lowers
// its chunk's live count; a chunk whose live bytes fall below half its size (and which is not the
// one being filled) is evacuated: its live slots are copied into the current chunk and the slot
// fields updated, so the old chunk becomes garbage. Copying at most half a chunk per half chunk
// freed keeps the work amortised O(1) per freed octet and the memory held at most about twice
// the live bytes. `bytes` counts every chunk held at full size: that is what the process
// holds, and what the caches charge against their configured bound.
//
// Views handed out before an evacuation stay valid (the old chunk lives while they do and its
// octets are never rewritten), so callers may keep them for the duration of a query.

/** One region of a chunk, owned by a cache entry (the entry object itself usually). */
export interface ArenaSlot {
  chunk: ArenaChunk;
  start: number;
  readonly length: number;
}

export class ArenaChunk {
  readonly buf: Uint8Array;
  used = 0;
  live = 0;
  /** Slots allocated here (freed ones included until the chunk is evacuated or dropped). */
  readonly slots: ArenaSlot[] = [];
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
}

/** The chunk of a freed slot: never live, never evacuated. */
const FREED = new ArenaChunk(0);

export class ByteArena {
  private readonly chunkSize: number;
  /** Allocations above this size get a chunk of their own. */
  private readonly largeAt: number;
  /** The chunk being filled; none until the first allocation and after it empties. */
  private current: ArenaChunk | undefined;
  private held = 0;

  constructor(chunkSize = 64 * 1024) {
    this.chunkSize = Math.max(256, Math.floor(chunkSize));
    this.largeAt = this.chunkSize >>> 2;
  }

  /** Octets held in chunks (the filling one counted whole). */
  get bytes(): number {
    return this.held;
  }

  private newChunk(size: number): ArenaChunk {
    this.held += size;
    return new ArenaChunk(size);
  }

  /**
   * Places `slot` (whose `length` is set) in a chunk: sets `slot.chunk` and `slot.start`; the
   * caller then writes its octets at `slot.chunk.buf[slot.start ...]`.
   */
  place(slot: ArenaSlot): void {
    const n = slot.length;
    let c: ArenaChunk;
    if (n > this.largeAt) {
      c = this.newChunk(n);
    } else {
      const old = this.current;
      if (old !== undefined && old.used + n <= old.buf.length) {
        c = old;
      } else {
        c = this.current = this.newChunk(this.chunkSize);
        // The chunk just left may already be mostly free.
        if (old !== undefined) this.check(old);
      }
    }
    slot.chunk = c;
    slot.start = c.used;
    c.used += n;
    c.live += n;
    c.slots.push(slot);
  }

  /** Allocates and copies `bytes` in; for callers that build the octets elsewhere first. */
  placeCopy(slot: ArenaSlot, bytes: Uint8Array): void {
    this.place(slot);
    slot.chunk.buf.set(bytes, slot.start);
  }

  /** A view of the slot's octets (valid until the caller drops it, evacuation or not). */
  view(slot: ArenaSlot): Uint8Array {
    return slot.chunk.buf.subarray(slot.start, slot.start + slot.length);
  }

  /** Releases a slot; its chunk may be dropped or evacuated. */
  free(slot: ArenaSlot): void {
    const c = slot.chunk;
    if (c === FREED) return;
    slot.chunk = FREED;
    c.live -= slot.length;
    this.check(c);
  }

  /** Drops everything. */
  clear(): void {
    this.held = 0;
    this.current = undefined;
  }

  private check(c: ArenaChunk): void {
    if (c.live === 0) {
      if (c === this.current) this.current = undefined;
      this.held -= c.buf.length;
      c.slots.length = 0;
      return;
    }
    if (c === this.current || c.live * 2 >= c.buf.length || c.buf.length > this.chunkSize) return;
    // Evacuate: copy the live slots into the current chunk. The chunk is forgotten first, so the
    // allocations below cannot pick it again.
    this.held -= c.buf.length;
    const slots = c.slots.splice(0);
    c.live = 0;
    for (const s of slots) {
      if (s.chunk !== c) continue;
      const from = s.start;
      this.place(s);
      s.chunk.buf.set(c.buf.subarray(from, from + s.length), s.start);
    }
  }
}
