// Campaign dates: people pick days (China time); the API takes aware date-times.

/** "2026-06-01" → the first moment of that day in China. */
export function dayStart(day: string): string {
  return `${day}T00:00:00+08:00`
}

/** "2026-06-30" → the last second of that day in China. */
export function dayEnd(day: string): string {
  return `${day}T23:59:59+08:00`
}

/** The day (China time) of an RFC 3339 moment: "2026-05-31T16:00:00Z" → "2026-06-01". */
export function chinaDay(moment: string): string {
  const time = new Date(moment).getTime()
  if (!Number.isFinite(time)) return moment
  return new Date(time + 8 * 3_600_000).toISOString().slice(0, 10)
}

export function campaignPeriod(starts: string, ends: string): string {
  return `${chinaDay(starts)} 至 ${chinaDay(ends)}`
}
