// Byte storage for caches: many small octet strings packed into large chunks, so a cached entry
// costs its bytes instead of one typed array (and, above 64 octets, one ArrayBuffer with an off-heap
// backing store) per RDATA. Measured on Node 20: a separate Uint8Array of 150 octets costs ~184 heap
// octets besides its data, a view into a shared chunk ~96.
//
// Entries are numbered slots the cache hands out; a slot's place (chunk number, offset, length)
// sits in typed arrays the arena owns, indexed by that number. No object exists per slot, so a
// cached entry costs the garbage collector nothing to trace (V8 marks every live object on each
// full GC: fewer objects per cached RRset is less marking work as well as less memory).
//
// A chunk lists the slots placed in it (numbers, freed and reused ones included until the chunk is
// evacuated or dropped). Freeing a slot only lowers its chunk's live count; a chunk whose live bytes
// fall below half its size (and which is not the one being filled) is evacuated into the current
// chunk, so the memory held stays within about twice the live bytes at amortised O(1) copying per
// freed octet. `bytes` counts every chunk held at full size: what the process holds, and what the
// caches charge against their configured bound.
// Views handed out before an evacuation stay valid (the old chunk lives while they do and its octets
// are never rewritten), so callers may keep them for the duration of a query.

/** A slot's chunk number when it holds nothing. */
const NONE = -1;

export class SlotArena {
  /**
   * Octets a placed slot costs besides its own: its chunk number, offset and length (Int32Array
   * elements) and its record in its chunk's member list (a number; above 2^31 a double).
   */
  static readonly SLOT_BYTES = 3 * Int32Array.BYTES_PER_ELEMENT + 8;

  private readonly chunkSize: number;
  /** Allocations above this size get a chunk of their own. */
  private readonly largeAt: number;
  /** Per slot: chunk number (NONE when free), offset and length of its octets. */
  private chunkOf = new Int32Array(0);
  private startOf = new Int32Array(0);
  private lengthOf = new Int32Array(0);
  /**
   * Per chunk number: its buffer (undefined once dropped), octets used and live, and the slots
   * placed in it as `slot * chunkSize + start` (a freed slot number may be placed again in the same
   * chunk: the offset tells the stale record from the live one).
   */
  private readonly bufs: (Uint8Array | undefined)[] = [];
  private readonly used: number[] = [];
  private readonly live: number[] = [];
  private readonly members: number[][] = [];
  /** Chunk numbers free for reuse. */
  private readonly spare: number[] = [];
  /** The chunk being filled, NONE until the first allocation and after it empties. */
  private current = NONE;
  private held = 0;

  constructor(chunkSize = 64 * 1024) {
    this.chunkSize = Math.max(256, Math.floor(chunkSize));
    this.largeAt = this.chunkSize >>> 2;
  }

  /** Octets held in chunks (the filling one counted whole). */
  get bytes(): number {
    return this.held;
  }

  /** Makes room for slot numbers below `capacity` (existing slots keep their places). */
  grow(capacity: number): void {
    if (capacity <= this.chunkOf.length) return;
    const chunkOf = new Int32Array(capacity).fill(NONE);
    chunkOf.set(this.chunkOf);
    const startOf = new Int32Array(capacity);
    startOf.set(this.startOf);
    const lengthOf = new Int32Array(capacity);
    lengthOf.set(this.lengthOf);
    this.chunkOf = chunkOf;
    this.startOf = startOf;
    this.lengthOf = lengthOf;
  }

  /** The buffer holding slot `s` (read its octets from `start(s)` on). */
  buf(s: number): Uint8Array {
    return this.bufs[this.chunkOf[s]!]!;
  }

  start(s: number): number {
    return this.startOf[s]!;
  }

  length(s: number): number {
    return this.lengthOf[s]!;
  }

  /**
   * Places slot `s` (below the grown capacity, not placed) with `length` octets; write them at
   * buf(s)[start(s)...]. A slot of more than a quarter chunk gets a chunk of its own (offset 0).
   */
  place(s: number, length: number): void {
    this.lengthOf[s] = length;
    this.put(s);
  }

  /** Releases slot `s`'s octets; its chunk may be dropped or evacuated. */
  free(s: number): void {
    const c = this.chunkOf[s]!;
    if (c === NONE) return;
    this.chunkOf[s] = NONE;
    this.live[c]! -= this.lengthOf[s]!;
    this.check(c);
  }

  /** Drops everything. */
  clear(): void {
    this.chunkOf.fill(NONE);
    this.bufs.length = 0;
    this.used.length = 0;
    this.live.length = 0;
    this.members.length = 0;
    this.spare.length = 0;
    this.current = NONE;
    this.held = 0;
  }

  private newChunk(size: number): number {
    this.held += size;
    const c = this.spare.pop() ?? this.bufs.length;
    this.bufs[c] = new Uint8Array(size);
    this.used[c] = 0;
    this.live[c] = 0;
    this.members[c] = [];
    return c;
  }

  private dropChunk(c: number): void {
    this.held -= this.bufs[c]!.length;
    this.bufs[c] = undefined;
    this.members[c] = [];
  }

  private put(s: number): void {
    const n = this.lengthOf[s]!;
    let c: number;
    if (n > this.largeAt) {
      c = this.newChunk(n);
    } else {
      const old = this.current;
      if (old !== NONE && this.used[old]! + n <= this.bufs[old]!.length) {
        c = old;
      } else {
        c = this.current = this.newChunk(this.chunkSize);
        // The chunk just left may already be mostly free.
        if (old !== NONE) this.check(old);
      }
    }
    this.chunkOf[s] = c;
    this.startOf[s] = this.used[c]!;
    this.used[c]! += n;
    this.live[c]! += n;
    this.members[c]!.push(s * this.chunkSize + this.startOf[s]);
  }

  private check(c: number): void {
    const size = this.bufs[c]!.length;
    if (this.live[c] === 0) {
      if (c === this.current) this.current = NONE;
      this.dropChunk(c);
      this.spare.push(c);
      return;
    }
    if (c === this.current || this.live[c]! * 2 >= size || size > this.chunkSize) return;
    // Evacuate: copy the live slots into the current chunk, in the order they were placed. The
    // chunk is forgotten first, so the allocations below cannot pick it again, and its number is
    // reused only afterwards. Records of freed slots (and of a slot number since placed again
    // elsewhere or further on) no longer match the slot's place and are skipped.
    const from = this.bufs[c]!;
    const records = this.members[c]!;
    this.dropChunk(c);
    for (const r of records) {
      const s = Math.floor(r / this.chunkSize);
      const at = r - s * this.chunkSize;
      if (this.chunkOf[s] !== c || this.startOf[s] !== at) continue;
      this.put(s);
      this.bufs[this.chunkOf[s]]!.set(from.subarray(at, at + this.lengthOf[s]!), this.startOf[s]);
    }
    this.spare.push(c);
  }
}
