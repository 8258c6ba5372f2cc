/**
 * A scrape of GET /metrics read by an independent parser of Prometheus's text format
 * (parse-prometheus-text-format), not by prom-client itself. That parser folds a histogram's
 * series into one and drops their labels, so histograms are read a second time declared
 * untyped: each `_bucket`, `_sum` and `_count` line is then a sample with all its labels.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Each family declared, by name, with its type (lower case, as in `# TYPE`). */
  families: Map<string, string>;
  samples: Sample[];
}

export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family.type.toLowerCase()]));
  const untyped = text.replace(/^# TYPE (\S+) (histogram|summary)$/gm, "# TYPE $1 untyped");
  const samples = parsePrometheusTextFormat(untyped).flatMap((family) =>
    family.metrics.map((metric) => ({ name: family.name, labels: metric.labels ?? {}, value: Number(metric.value) })),
  );
  return { families, samples };
}

/** The value of the one sample named `name` whose labels include `labels` (0 when none). */
export function sampleValue(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  const found = scrape.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  return found.reduce((sum, sample) => sum + sample.value, 0);
}
