/** Prometheus text exposition (format 0.0.4) of the worker's counters, histogram and gauges. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labels(l: Record<string, string>): string {
  const entries = Object.entries(l);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`).join(",")}}` : "";
}

export class Metrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly bucketCounts = new Array<number>(BUCKETS.length).fill(0);
  private latencySum = 0;
  private latencyCount = 0;
  private readonly gauges = new Map<string, () => number>();
  /** Counters kept by another component, read at render time. */
  private readonly counterReaders = new Map<string, () => number>();
  private readonly help = new Map<string, string>([
    ["agentry_worker_calls_total", "tools/call requests by tool and outcome (paid, free_error, rejected)"],
    ["agentry_worker_errors_total", "rejected or failed calls by reason"],
    ["agentry_worker_redemptions_total", "redeem transactions by result"],
  ]);

  inc(name: string, l: Record<string, string> = {}, by = 1): void {
    let series = this.counters.get(name);
    if (!series) this.counters.set(name, (series = new Map()));
    const key = labels(l);
    series.set(key, (series.get(key) ?? 0) + by);
  }

  observeLatency(seconds: number): void {
    this.latencySum += seconds;
    this.latencyCount += 1;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.bucketCounts[i]! += 1;
  }

  counterFrom(name: string, help: string, read: () => number): void {
    this.counterReaders.set(name, read);
    this.help.set(name, help);
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, read);
    this.help.set(name, help);
  }

  render(): string {
    const out: string[] = [];
    for (const [name, series] of this.counters) {
      out.push(`# HELP ${name} ${this.help.get(name) ?? name}`, `# TYPE ${name} counter`);
      for (const [l, v] of series) out.push(`${name}${l} ${v}`);
    }
    const h = "agentry_worker_call_duration_seconds";
    out.push(`# HELP ${h} time to answer a paid tools/call, verification and persistence included`, `# TYPE ${h} histogram`);
    BUCKETS.forEach((b, i) => out.push(`${h}_bucket{le="${b}"} ${this.bucketCounts[i]}`));
    out.push(`${h}_bucket{le="+Inf"} ${this.latencyCount}`, `${h}_sum ${this.latencySum}`, `${h}_count ${this.latencyCount}`);
    for (const [name, read] of this.counterReaders) {
      out.push(`# HELP ${name} ${this.help.get(name)}`, `# TYPE ${name} counter`, `${name} ${read()}`);
    }
    for (const [name, read] of this.gauges) {
      out.push(`# HELP ${name} ${this.help.get(name)}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
    }
    return out.join("\n") + "\n";
  }
}
