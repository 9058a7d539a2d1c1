// Convergence digests, as the server computes them (sync/digest.py): each live record counts
// FNV-1a (32 bits) of "entity:id:version" in UTF-8; a set of records is described by how many
// there are and the sum of their hashes (a decimal string, as the server writes it). Two
// replicas holding the same versions of the same records have equal digests.

const encoder = new TextEncoder();

/** FNV-1a, 32 bits, of `text` in UTF-8, as an unsigned integer. */
export function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function recordHash(entity, id, version) {
  return fnv1a32(`${entity}:${id}:${version}`);
}

/**
 * A digest summed as records come, a page at a time: `add(records)` (live ones; tombstones are
 * skipped), then `result()`: whole (`{count, sum}`, or null for none), or with `ending` split by
 * the character before it (`{bucket: {count, sum}}` over the ids that end with `ending`, each
 * bucket the id's last characters), as `/sync/digest?ending=` answers it. The sums stay exact:
 * 2^32 times a million records is far below 2^53.
 */
export function digester(entity, ending = null) {
  const out = new Map();
  return {
    add(records) {
      for (const record of records) {
        if (record.deleted) continue;
        const id = String(record.id);
        if (ending !== null && !id.endsWith(ending)) continue;
        const key = ending === null ? "" : id.slice(-(ending.length + 1));
        const entry = out.get(key) || { count: 0, sum: 0 };
        entry.count += 1;
        entry.sum += recordHash(entity, id, record.version);
        out.set(key, entry);
      }
    },
    result() {
      const written = (entry) => ({ count: entry.count, sum: String(entry.sum) });
      if (ending === null) return out.size ? written(out.get("")) : null;
      return Object.fromEntries([...out].map(([key, entry]) => [key, written(entry)]));
    },
  };
}

/** The digest of `records` of one entity at once (`digester`'s answer). */
export function digestOf(entity, records, ending = null) {
  const digest = digester(entity, ending);
  digest.add(records);
  return digest.result();
}

const NONE = { count: 0, sum: "0" };

/** The keys of two digests (`{key: {count, sum}}`) whose entries differ; a missing one is empty. */
export function differing(theirs, mine) {
  const keys = new Set([...Object.keys(theirs), ...Object.keys(mine)]);
  return [...keys].sort().filter((key) => {
    const a = theirs[key] || NONE;
    const b = mine[key] || NONE;
    return a.count !== b.count || String(a.sum) !== String(b.sum);
  });
}
