// A form that sends one request (the unit, activity and volunteer needs forms): busy while it runs; the
// API's field errors beside their fields, else what went wrong in words under `body`.
import { ref } from 'vue'
import { describe, fieldErrors } from '../api/client'

/** problem+json field errors on the form's own fields (contact.phone → contact, honours.0 → honours);
 *  when none names a field, the error in words (`words`, by default `describe`) under `body`. */
export function formErrors(error: unknown, words: (error: unknown) => string = describe): Record<string, string> {
  const found: Record<string, string> = {}
  for (const [field, text] of Object.entries(fieldErrors(error))) found[field.split('.')[0]] ||= text
  if (!Object.keys(found).length) found.body = words(error)
  return found
}

export function useForm() {
  const busy = ref(false)
  const errors = ref<Record<string, string>>({})

  /** Send, unless the form's own checks left an error in `errors`; a failure's errors replace them. */
  async function send(request: () => Promise<void>, words?: (error: unknown) => string): Promise<void> {
    if (Object.keys(errors.value).length) return
    busy.value = true
    try {
      await request()
    } catch (e) {
      errors.value = formErrors(e, words)
    } finally {
      busy.value = false
    }
  }

  return { busy, errors, send }
}
