export { SipError, SipParseError } from './errors.js';
export type { SipErrorCode, ParseErrorLocation } from './errors.js';

export { parseMessage } from './message/parse.js';
export type { ParseOptions } from './message/parse.js';
export { serializeMessage, messageToString } from './message/serialize.js';
export { errorResponseFor } from './message/bad-request.js';
export { SipRequest, SipResponse, reasonPhrase } from './message/message.js';
export type { SipMessage, SipRequestInit, SipResponseInit } from './message/message.js';
export { Headers, canonicalName, prettyName, isListHeader } from './message/headers.js';
export type { HeaderInit } from './message/headers.js';
export { SipUri, TelUri, AbsoluteUri, parseUri, uriEquals, ownUri, NO_PARAMS } from './message/uri.js';
export { ownString } from './message/own-string.js';
export type { Uri, Params, SipUriParts, ParseUriOptions } from './message/uri.js';
export {
  formatVia,
  makeVia,
  withViaParams,
  formatParams,
  formatNameAddr,
  formatReason,
  withTag,
  parseViaList,
  parseNameAddrList,
  ownNameAddr,
  isSipUri,
} from './message/header-values.js';
export type {
  Via,
  NameAddr,
  FromTo,
  Contact,
  CSeq,
  EventHeader,
  SubscriptionState,
  ContentType,
  SessionExpires,
  Reason,
  RetryAfter,
} from './message/header-values.js';
export { quote, unquote, splitTopLevel } from './message/grammar.js';

export { StreamFramer } from './transport/stream-framer.js';
export type { FramerEvent, StreamFramerOptions } from './transport/stream-framer.js';

export type { TransportLayer, TransportProtocol, Destination, Source, Incoming, SendResult } from './transport/transport.js';
export { SipTransportLayer, UDP_SIZE_LIMIT } from './transport/transport-layer.js';
export type { TransportLayerOptions, TransportLogger, TransportStats, ConnectionInfo, ListeningPoint } from './transport/layer-options.js';
export type { TlsOptions } from './transport/tls.js';
export { parseListenSpec, formatListenSpec, defaultPort } from './transport/address.js';
export type { ListenSpec } from './transport/address.js';

export { SystemClock, ManualClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';

export { Endpoint } from './endpoint.js';
export type { EndpointOptions, EndpointLogger, RequestHandler } from './endpoint.js';

export { TransactionLayer, PLACEHOLDER_SENT_BY } from './transaction/layer.js';
export type { ClientTransaction, ClientTransactionHandlers, ServerTransaction, TransactionUser, TransactionLayerOptions } from './transaction/layer.js';
export { makeResponse, buildAckForNon2xx, buildCancel, newBranch, newTag, MAGIC_COOKIE } from './transaction/messages.js';
export type { MakeResponseOptions } from './transaction/messages.js';
export { DEFAULT_TIMERS, timerConfig } from './transaction/timers.js';
export type { TimerConfig, TimerName, Effect, Delivery, Step, TerminationReason, TransportInfo, TransactionLogger } from './transaction/types.js';
export { startIct, stepIct } from './transaction/ict.js';
export type { IctState, IctEvent } from './transaction/ict.js';
export { startNict, stepNict } from './transaction/nict.js';
export type { NictState, NictEvent } from './transaction/nict.js';
export { startIst, stepIst } from './transaction/ist.js';
export type { IstState, IstEvent } from './transaction/ist.js';
export { startNist, stepNist } from './transaction/nist.js';
export type { NistState, NistEvent } from './transaction/nist.js';
export { isRfc3261Branch, clientTransactionKey, clientKeyOfResponse, serverTransactionKey, cancelTargetKey, mergeKey } from './transaction/matching.js';
export { LoopbackNetwork, LoopbackTransport } from './transport/loopback.js';
export type { LinkConditions, WireRecord } from './transport/loopback.js';

export { DialogUserAgent, DIALOG_METHODS } from './dialog/user-agent.js';
export type { DialogUserAgentOptions } from './dialog/user-agent.js';
export { Session } from './dialog/session.js';
export type { SessionState, SessionEvent, SessionListener, AnswerOptions, RequestOptions, IncomingDialogRequest, RequestOutcome } from './dialog/session.js';
export { UacSession } from './dialog/uac-session.js';
export type { InviteOptions } from './dialog/uac-session.js';
export { dialogKey, dialogIdOfRequest, dialogIdOfResponse } from './dialog/dialog-id.js';
export type { DialogId } from './dialog/dialog-id.js';
export type { TerminationCause, DialogState, DialogRole } from './dialog/dialog.js';
export { routeSetForUac, routeSetForUas, requestTarget, destinationOf } from './dialog/route-set.js';
export type { RouteSet, RequestTarget } from './dialog/route-set.js';
export { UasSession } from './dialog/uas-session.js';
export type { SessionHost } from './dialog/session-types.js';
export { createUacDialog, createUasDialog, stepDialog, createRequest, createAck, TARGET_REFRESH_METHODS } from './dialog/dialog.js';
export type { DialogCore, DialogEvent, DialogEffect, DialogStep, DialogRequestOptions } from './dialog/dialog.js';
export { start2xxRetransmit, step2xxRetransmit, glareRetryDelay } from './dialog/timers.js';
export type { Retransmit2xxState, Retransmit2xxEvent, Retransmit2xxEffect, Retransmit2xxStep } from './dialog/timers.js';
