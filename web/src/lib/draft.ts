// What was typed in the wish form survives a reload until it is sent. The public part is kept in
// localStorage; the beneficiary block only in sessionStorage (this tab), and both go once sent.

const PUBLIC_KEY = 'mw.draft.submit'
const PRIVATE_KEY = 'mw.draft.submit.private'

export interface PublicDraft {
  title: string; description: string; category: string; groups: string[]; region_code: string
  region_label: string; target_yuan: string; needed_by: string; key: string
}
export interface PrivateDraft { name: string; phone: string; address: string; title: string }

function read<T>(storage: Storage, key: string): Partial<T> {
  try {
    const value = JSON.parse(storage.getItem(key) || '{}')
    return value && typeof value === 'object' ? value : {}
  } catch {
    return {}
  }
}

export function loadDraft(): { pub: Partial<PublicDraft>; priv: Partial<PrivateDraft> } {
  return { pub: read<PublicDraft>(localStorage, PUBLIC_KEY), priv: read<PrivateDraft>(sessionStorage, PRIVATE_KEY) }
}

export function saveDraft(pub: PublicDraft, priv: PrivateDraft): void {
  try {
    localStorage.setItem(PUBLIC_KEY, JSON.stringify(pub))
    sessionStorage.setItem(PRIVATE_KEY, JSON.stringify(priv))
  } catch {
    // storage full or disabled: the form still works, only without the draft
  }
}

export function clearDraft(): void {
  localStorage.removeItem(PUBLIC_KEY)
  sessionStorage.removeItem(PRIVATE_KEY)
}
