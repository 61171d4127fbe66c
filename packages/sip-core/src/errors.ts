/**
 * Every error that @ima/sip-core throws or reports carries a stable `code`.
 * The codes are listed, with what to do about each, in docs/errors.md.
 */
export type SipErrorCode =
  | 'SIP_ERR_PARSE'
  | 'SIP_ERR_FRAMING'
  | 'SIP_ERR_MESSAGE_TOO_LARGE'
  | 'SIP_ERR_TRANSPORT'
  | 'SIP_ERR_TIMEOUT'
  | 'SIP_ERR_INVALID_ARGUMENT'
  | 'SIP_ERR_INVALID_STATE';

export class SipError extends Error {
  readonly code: SipErrorCode;
  constructor(code: SipErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SipError';
    this.code = code;
  }
}

/** Where in the message a parse error was found. */
export interface ParseErrorLocation {
  /** The header name as received, or 'start-line' / 'body' / 'framing'. */
  readonly part: string;
  /** Character offset inside that part's value, when known. */
  readonly offset?: number;
}

/**
 * Thrown by parseMessage and by the first read of a malformed header.
 * `status` is the response a server should send for it (400, or 505 for an
 * unknown SIP version); `reasonPhrase` is a short phrase for that response.
 */
export class SipParseError extends SipError {
  readonly where: ParseErrorLocation;
  readonly status: number;
  constructor(
    message: string,
    where: ParseErrorLocation,
    opts: { status?: number; code?: 'SIP_ERR_PARSE' | 'SIP_ERR_FRAMING' | 'SIP_ERR_MESSAGE_TOO_LARGE' } = {},
  ) {
    super(opts.code ?? 'SIP_ERR_PARSE', `${where.part}: ${message}${where.offset !== undefined ? ` (at ${where.offset})` : ''}`);
    this.name = 'SipParseError';
    this.where = where;
    this.status = opts.status ?? 400;
  }

  /** A reason phrase for the response that answers this error, e.g. "Bad Request (From: ...)". */
  get reasonPhrase(): string {
    const base = this.status === 505 ? 'Version Not Supported' : this.status === 413 ? 'Message Too Large' : 'Bad Request';
    // Reason phrases are TEXT-UTF8 without CR/LF; keep them short.
    return `${base} - ${this.message.replace(/[\r\n]+/g, ' ').slice(0, 120)}`;
  }
}
