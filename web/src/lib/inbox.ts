// The unread count shown on every page (inbox-badge).
import { ref } from 'vue'
import { api, call } from '../api/client'
import { session } from './session'

export const unread = ref(0)

export async function refreshUnread(): Promise<void> {
  if (!session.token) {
    unread.value = 0
    return
  }
  try {
    const page = await call(api().GET('/me/notifications', { params: { query: { limit: 100 } } }))
    unread.value = page.items.filter((item) => !item.read).length
  } catch {
    // The badge is a hint: a failed refresh keeps the last count.
  }
}
