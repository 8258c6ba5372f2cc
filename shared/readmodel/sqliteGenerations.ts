/**
 * The embedded read model's generations: each a SQLite file of its own in DATA_DIR, and a
 * small pointer file naming the one that serves. Generation 0 is `readmodel.sqlite`, the
 * file every earlier version wrote; a rebuild writes `readmodel-g<N>.sqlite` beside it,
 * records N in the pointer (written to a temporary file and renamed over, so it is always
 * whole), then removes the old generation's files.
 */
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const FIRST_GENERATION_FILE = "readmodel.sqlite";
const POINTER_FILE = "readmodel-generation.json";
const GENERATION_FILE = /^readmodel(?:-g(\d+))?\.sqlite(?:-wal|-shm|-journal)?$/;

export function generationFile(dataDir: string, generation: number): string {
  return join(dataDir, generation === 0 ? FIRST_GENERATION_FILE : `readmodel-g${generation}.sqlite`);
}

/** The generation serving, as the pointer says (0 when there is none yet). */
export function servingGeneration(dataDir: string): number {
  try {
    const { generation } = JSON.parse(readFileSync(join(dataDir, POINTER_FILE), "utf8")) as { generation?: unknown };
    return Number.isSafeInteger(generation) && (generation as number) >= 0 ? (generation as number) : 0;
  } catch {
    return 0;
  }
}

export function recordServingGeneration(dataDir: string, generation: number): void {
  const pointer = join(dataDir, POINTER_FILE);
  const temporary = `${pointer}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ generation })}\n`, { flush: true });
  renameSync(temporary, pointer);
}

/** A generation's files: the database and SQLite's write-ahead log and shared memory beside it. */
export function removeGeneration(dataDir: string, generation: number): void {
  const file = generationFile(dataDir, generation);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
}

/** Generations other than the serving one: what a rebuild that did not finish left behind. */
export function removeOtherGenerations(dataDir: string, serving: number): number[] {
  const removed = new Set<number>();
  for (const name of readdirSync(dataDir)) {
    const match = GENERATION_FILE.exec(name);
    if (!match) continue;
    const generation = Number(match[1] ?? 0);
    if (generation === serving) continue;
    rmSync(join(dataDir, name), { force: true });
    removed.add(generation);
  }
  return [...removed];
}
