/**
 * Joining output chunks before a socket write, without copying big ones: a
 * run of small chunks (frames, small deliveries) becomes one buffer, so a
 * burst is one write, while a chunk of LARGE bytes or more (a big message's
 * frames) is written as it is, since copying it would cost more than the
 * write it saves.
 */

/** Chunks this big are never copied to be joined. */
export const LARGE_CHUNK = 16 * 1024;

/** Joins `chunks[from, to)` into one buffer (one chunk: itself). */
export function joinChunks(
  chunks: readonly Uint8Array[],
  from = 0,
  to = chunks.length,
): Uint8Array {
  if (to - from === 1) return chunks[from]!;
  let size = 0;
  for (let i = from; i < to; i++) size += chunks[i]!.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = from; i < to; i++) {
    out.set(chunks[i]!, at);
    at += chunks[i]!.length;
  }
  return out;
}

/**
 * How many chunks from `from` make the next write: a large chunk alone, else
 * the run of small chunks before the next large one.
 */
export function nextWriteCount(chunks: readonly Uint8Array[], from = 0): number {
  if (from >= chunks.length) return 0;
  if (chunks[from]!.length >= LARGE_CHUNK) return 1;
  let to = from + 1;
  while (to < chunks.length && chunks[to]!.length < LARGE_CHUNK) to++;
  return to - from;
}

/** `chunks` as the writes they make: runs of small chunks joined, large ones as they are. */
export function coalesce(chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < chunks.length;) {
    const n = nextWriteCount(chunks, i);
    out.push(joinChunks(chunks, i, i + n));
    i += n;
  }
  return out;
}
