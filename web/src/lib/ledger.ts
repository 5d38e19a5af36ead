// The ledger (台账) download: every part of GET /exports/wishes.csv, followed by X-Next-Cursor to the end.

/**
 * Parts joined into one file: one BOM (so Excel reads the Chinese as UTF-8) and one header row
 * (each part is a whole CSV file, with or without its BOM as the decoder left it).
 */
export function joinParts(parts: string[]): string {
  return '\ufeff' + parts
    .map((part, index) => {
      const body = part.replace(/^\ufeff/, '')
      if (index === 0) return body.endsWith('\n') ? body : body + '\n'
      const firstBreak = body.indexOf('\n')
      const rows = firstBreak < 0 ? '' : body.slice(firstBreak + 1)
      return rows && !rows.endsWith('\n') ? rows + '\n' : rows
    })
    .join('')
}

export interface PartAnswer { text: string; rows: number; next: string | null }

/**
 * Fetch every part: `fetchPart(cursor)` gives one; `progress(rowsSoFar)` after each.
 * Stops after `maxParts` as a guard against a cursor that never ends.
 */
export async function fetchAll(
  fetchPart: (cursor: string | null) => Promise<PartAnswer>,
  progress: (rows: number, parts: number) => void,
  maxParts = 1000,
): Promise<{ csv: string; rows: number }> {
  const parts: string[] = []
  let cursor: string | null = null
  let rows = 0
  do {
    const answer = await fetchPart(cursor)
    parts.push(answer.text)
    rows += answer.rows
    progress(rows, parts.length)
    cursor = answer.next
  } while (cursor && parts.length < maxParts)
  return { csv: joinParts(parts), rows }
}
