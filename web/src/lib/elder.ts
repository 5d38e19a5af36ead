// Age-friendly mode (适老化): larger type, higher contrast, bigger targets; remembered on this device.
import { ref } from 'vue'

const KEY = 'mw.elder'
export const elderMode = ref(false)

export function applyElderMode(on?: boolean): void {
  if (on === undefined) {
    try { on = localStorage.getItem(KEY) === '1' } catch { on = false }
  } else {
    try { localStorage.setItem(KEY, on ? '1' : '0') } catch { /* private mode: not remembered */ }
  }
  elderMode.value = on
  document.documentElement.classList.toggle('elder', on)
}
