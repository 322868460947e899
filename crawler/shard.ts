// Which shard crawls a repository: Lamping & Veach's jump consistent hash of the repository's stable
// key (https://arxiv.org/abs/1406.2294). Balanced like a modulo, independent of list order, and
// growing from N to N+1 shards moves only the repositories the new shard takes.
import { createHash } from 'node:crypto';

export interface Shard {
  /** 1-based, as written on the command line ("2/4"). */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= 1024) || !(index >= 1 && index <= count)) {
    throw new RangeError(`--shard must be I/N with 1 ≤ I ≤ N ≤ 1024, such as 2/4; got "${text}"`);
  }
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

const MASK = (1n << 64n) - 1n;

/** The 1-based shard of `key` among `count`. */
export function shardOf(key: string, count: number): number {
  let state = createHash('sha256').update(key).digest().readBigUInt64BE(0);
  let bucket = -1n;
  let next = 0n;
  const buckets = BigInt(count);
  while (next < buckets) {
    bucket = next;
    state = (state * 2862933555777941757n + 1n) & MASK;
    next = BigInt(Math.floor((Number(bucket + 1n) * 2 ** 31) / Number((state >> 33n) + 1n)));
  }
  return Number(bucket) + 1;
}
