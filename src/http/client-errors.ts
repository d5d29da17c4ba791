import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** What a connection-level failure (before any route runs) is, as a status and a message. */
export function clientErrorStatus(code: string | undefined): { status: number; error: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, error: 'Request timeout: the request was not sent in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, error: 'Request header fields too large' };
    case 'HPE_URI_TOO_LONG':
      return { status: 414, error: 'Request-URI too long' };
    default:
      return { status: 400, error: 'Invalid HTTP request' };
  }
}

/**
 * Answers malformed or stalled HTTP (bad Content-Length, bad chunks, headers too large, the request
 * timeout) in Amplitude's shape, `code` equal to the status, then closes the connection.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return;
  const { status, error: message } = clientErrorStatus(error.code);
  const body = JSON.stringify({ code: status, error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
