// Delivery photos: resized in the browser to what the API takes (≤ 10 MB; we aim far lower for
// rural networks), then PUT to the pre-signed URL of POST /uploads.

export const MAX_EDGE = 1600
export const MAX_BYTES = 10 * 1024 * 1024

/** The size to draw an image of w×h at, so that its longer edge is at most `edge`. */
export function fitWithin(width: number, height: number, edge = MAX_EDGE): { width: number; height: number } {
  const scale = Math.min(1, edge / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

export async function resizePhoto(file: Blob, edge = MAX_EDGE): Promise<Blob> {
  const bitmap = await createImageBitmap(file)
  const size = fitWithin(bitmap.width, bitmap.height, edge)
  const canvas = document.createElement('canvas')
  canvas.width = size.width
  canvas.height = size.height
  const context = canvas.getContext('2d')
  if (!context) throw new Error('no canvas')
  context.drawImage(bitmap, 0, 0, size.width, size.height)
  bitmap.close?.()
  for (const quality of [0.85, 0.7, 0.5]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality))
    if (blob && blob.size <= MAX_BYTES) return blob
  }
  throw new Error('photo too large')
}
