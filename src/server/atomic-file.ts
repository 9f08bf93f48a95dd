// Durable files written atomically (DESIGN.md convention 11), the one implementation for the key
// files, signed zones and DS sets of the CLI and the RFC 5011 state of the server:
// 1. a temporary file next to the target (same folder, so the rename stays on one file system),
//    created exclusively with its final mode (a `.private` key file is 0600 from the first byte);
// 2. the content written in full through a 1 MiB buffer (short writes looped), then fsync;
// 3. rename over the target (atomic on POSIX), then fsync of the folder so the rename is durable.
// A failure at any step (a throw from the producer, ENOSPC, a rename refused) closes and removes
// the temporary file and leaves the target as it was: a reader finds the old file or the new one,
// complete, never a mix. A crash can leave a temporary file, which `removeStaleTemps` clears.
//
// Node-only edge module (server/, importable by cli/ per the dependency table).

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes one piece of content (UTF-8 text or bytes) to the file being built. */
export type AtomicWrite = (piece: string | Uint8Array) => void;

const BUFFER_SIZE = 1 << 20;

function tempPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

function writeAll(fd: number, bytes: Uint8Array, length = bytes.length): void {
  let off = 0;
  while (off < length) off += writeSync(fd, bytes, off, length - off);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is done either way.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The temp file of one write: opened, fed through a buffer, then committed or discarded. */
class AtomicFile {
  private readonly path: string;
  private readonly tmp: string;
  private fd: number | undefined;
  private readonly buf = Buffer.allocUnsafe(BUFFER_SIZE);
  private used = 0;

  constructor(path: string, mode: number) {
    this.path = path;
    this.tmp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${randomBytes(6).toString('hex')}`);
    this.fd = openSync(this.tmp, 'wx', mode);
  }

  private open(): number {
    if (this.fd === undefined) throw new Error(`${this.path}: write after the atomic write ended`);
    return this.fd;
  }

  private drain(): void {
    writeAll(this.open(), this.buf, this.used);
    this.used = 0;
  }

  readonly write: AtomicWrite = (piece) => {
    const fd = this.open();
    if (typeof piece !== 'string') {
      this.drain();
      writeAll(fd, piece);
      return;
    }
    // A UTF-16 code unit takes at most 3 octets in UTF-8.
    if (this.used + piece.length * 3 > BUFFER_SIZE) {
      this.drain();
      if (piece.length * 3 > BUFFER_SIZE) {
        writeAll(fd, Buffer.from(piece, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(piece, this.used, 'utf8');
  };

  /** Steps 2 (fsync) and 3: the content becomes the target. */
  commit(): void {
    this.drain();
    const fd = this.open();
    fsyncSync(fd);
    this.fd = undefined;
    closeSync(fd);
    renameSync(this.tmp, this.path);
    syncDirectory(dirname(this.path));
  }

  /** Closes and removes the temp file; the target is untouched. */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Closing is best effort here; the error being reported is the first one.
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // Never created or already renamed.
    }
  }
}

/**
 * Builds `path` atomically from what `produce` writes (module header). `mode` applies from
 * creation. Throws what failed, with the target untouched.
 */
export function writeAtomicSync(path: string, produce: (write: AtomicWrite) => void, mode = 0o644): void {
  const f = new AtomicFile(path, mode);
  try {
    produce(f.write);
    f.commit();
  } catch (error) {
    f.discard();
    throw error;
  }
}

/** writeAtomicSync for content produced asynchronously (a signing run streaming its output). */
export async function writeAtomic(path: string, produce: (write: AtomicWrite) => Promise<void>, mode = 0o644): Promise<void> {
  const f = new AtomicFile(path, mode);
  try {
    await produce(f.write);
    f.commit();
  } catch (error) {
    f.discard();
    throw error;
  }
}

/** Writes `data` (text as UTF-8, or bytes) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  writeAtomicSync(
    path,
    (write) => {
      write(data);
    },
    mode,
  );
}

/** Writes text produced piece by piece (larger than one string may be) to `path` atomically. */
export function writeTextAtomic(path: string, pieces: Iterable<string>, mode = 0o644): void {
  writeAtomicSync(
    path,
    (write) => {
      for (const p of pieces) write(p);
    },
    mode,
  );
}

/** Removes temp files an interrupted write left next to `path`; returns how many. */
export function removeStaleTemps(path: string): number {
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    try {
      unlinkSync(join(dirname(path), name));
      n++;
    } catch {
      // Not ours to remove after all.
    }
  }
  return n;
}
