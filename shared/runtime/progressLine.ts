/**
 * One line that tells how far a long piece of work has come, for a terminal: a bar, the share
 * done, the counts and the time left. Pure, so that every command-line tool draws it alike.
 */

const BAR_WIDTH = 30;

export interface ProgressFigures {
  /** From 0 to 1. */
  fraction: number;
  /** What has been done, as the unit says ("12,345 events"). */
  done: number;
  unit: string;
  perSecond: number;
  /** Seconds left; null while unknown. */
  etaSeconds: number | null;
  /** Anything else worth a word ("position 1,234 of 5,678"). */
  detail?: string;
}

export function progressLine({ fraction, done, unit, perSecond, etaSeconds, detail }: ProgressFigures): string {
  const share = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(share * BAR_WIDTH);
  const parts = [
    `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`,
    `${Math.floor(share * 100)
      .toString()
      .padStart(3)}%`,
    `${done.toLocaleString("en")} ${unit}`,
    `${Math.round(perSecond).toLocaleString("en")}/s`,
    `ETA ${etaSeconds === null ? "?" : duration(etaSeconds)}`,
  ];
  if (detail) parts.push(detail);
  return parts.join("  ");
}

/** "45 s", "3 min 05 s", "2 h 10 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}
