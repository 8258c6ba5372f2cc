/**
 * Looks for text in raw files, byte for byte (database files, their journals, Kafka log
 * segments): what an attacker holding a copy of the disk would find.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under `paths` (files, or folders walked whole) that exists. */
export function filesUnder(...paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) files.push(...filesUnder(...readdirSync(path).map((name) => join(path, name))));
    else files.push(path);
  }
  return files;
}

/** Which of `needles` each file holds, as `file: needle` lines (none: nothing found). */
export function findingsIn(files: string[], needles: string[]): string[] {
  const findings: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle, "utf8"))) findings.push(`${file}: ${needle}`);
  }
  return findings;
}
