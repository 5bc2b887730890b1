// Number formatting for evidence lines: durations, bytes, percentages, rates.
export function ns(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} s`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} ms`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} µs`;
  return `${Math.round(value)} ns`;
}

export function bytes(value: number): string {
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)} GiB`;
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
}

export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
