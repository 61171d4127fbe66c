/**
 * The common forms of the headers every message carries, as regular
 * expressions. Each one accepts only text that the full hand-written parser
 * accepts too, and means the same thing there; a value that does not match
 * (white space around separators, escapes, IPv6, lists...) takes the full
 * parser, which decides and explains. Matching is done by the regular
 * expression engine's compiled code, which walks the text several times
 * faster than a character loop in JavaScript: these forms are the parser's
 * fast path, not its grammar.
 */
/** RFC 3261 token characters, as a character-class body. */
const TOKEN = "A-Za-z0-9\\-.!%*_+`'~";
/** gen-value without quotes: token / host (IPv6 adds "[", "]", ":"). */
const GEN_VALUE = TOKEN + '\\[\\]:';
/**
 * *( SEMI generic-param ) without white space; quoted values only without
 * backslashes or ";" (so that a split at ";" finds the parameters).
 */
const PARAMS = `(?:;[${TOKEN}]+(?:=(?:[${GEN_VALUE}]+|"[^"\\\\;]*"))?)*`;

/** SIP/2.0/<transport> host[:port] params: the Via every element writes. */
export const COMMON_VIA = new RegExp(`^SIP/2\\.0/(?:UDP|TCP|TLS|SCTP|WSS?) [A-Za-z0-9._\\-]+(?::[0-9]{1,4})?${PARAMS}$`);

/** callid = word [ "@" word ] (RFC 3261 §25.1); exactly the grammar, as WORD has no "@". */
export const CALL_ID = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;

/** user chars without "%" (escapes take the full parser). */
const USER = "A-Za-z0-9\\-_.!~*'()&=+$,;?/";
const PASSWORD = "A-Za-z0-9\\-_.!~*'()&=+$,";
const PARAMCHAR = "A-Za-z0-9\\[\\]/:&+$\\-_.!~*'()";

/** sip:/sips: URI with a host name or IPv4 address, a port below 10000, parameters and no headers. */
const SIP_URI = `[sS][iI][pP][sS]?:(?:[${USER}]+(?::[${PASSWORD}]*)?@)?[A-Za-z0-9._\\-]+(?::[0-9]{1,4})?(?:;[${PARAMCHAR}]+(?:=[${PARAMCHAR}]+)?)*`;
export const COMMON_SIP_URI = new RegExp(`^${SIP_URI}$`);

/**
 * [ display-name ] <sip-uri> params: a quoted display name without escapes,
 * or tokens with single spaces; a SIP URI in its common form (above).
 */
export const COMMON_NAME_ADDR = new RegExp(`^(?:"[^"\\\\]*" ?|[${TOKEN}]+(?: [${TOKEN}]+)* ?)?<${SIP_URI}>${PARAMS}$`);

/** Method SP SIP-URI SP SIP/2.0: the request line nearly every request carries. */
export const COMMON_REQUEST_LINE = new RegExp(`^[${TOKEN}]+ ${SIP_URI} SIP/2\\.0$`);
