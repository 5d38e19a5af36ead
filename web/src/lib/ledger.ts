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

/** The rows of a CSV file (RFC 4180: quoted fields, doubled quotes, commas and breaks inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  const body = text.replace(/^\ufeff/, '')
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++
      row.push(field); rows.push(row); row = []; field = ''
    } else field += c
  }
  if (field || row.length) { row.push(field); rows.push(row) }
  return rows
}

/** The printed summary's columns, picked by the ledger's header names (never by position). */
export const PRINT_COLUMNS = ['心愿', '类别', '乡镇', '村', '状态', '提交时间', '圆梦时间', '价值（元）']

export function pickColumns(rows: string[][], names: string[] = PRINT_COLUMNS): { header: string[]; rows: string[][] } {
  const [header = [], ...body] = rows
  const at = names.map((name) => header.indexOf(name))
  const kept = names.filter((_, i) => at[i] >= 0)
  return { header: kept, rows: body.map((r) => at.filter((i) => i >= 0).map((i) => r[i] ?? '')) }
}
