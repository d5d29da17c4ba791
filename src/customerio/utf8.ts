/** UTF-8 byte counting and cutting: Customer.io's limits count bytes, not characters. */

export function utf8ByteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** The serialized JSON size of a value in UTF-8 bytes. */
export function jsonByteLength(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value) ?? '');
}

function isContinuationByte(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * The longest prefix of `value` that fits in `maxBytes` UTF-8 bytes without splitting a character
 * (code point). A string that already fits is returned as it is.
 */
export function cutToUtf8Bytes(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  let end = Math.max(0, maxBytes);
  while (end > 0 && isContinuationByte(bytes[end])) end--;
  return bytes.subarray(0, end).toString('utf8');
}
