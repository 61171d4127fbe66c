export { stepFork, initialForkState, bestFailureStatus } from './fork.js';
export type { ForkMode, ForkTarget, ForkLeg, LegPhase, FailureCause, LegFailure, ForkState, ForkEvent, ForkEffect, ForkStep } from './fork.js';
export { DEFAULT_HEADER_POLICY, crossingHeaders, nextHop, diversionFor, policyOf } from './header-policy.js';
export type { HeaderPolicy, HopResult, DiversionReason } from './header-policy.js';
export { initialOfferAnswer, sdpOf, onRequest, onSuccess, onAck, retargetOffer } from './offer-answer.js';
export type { SdpBody, Side, Negotiation, OfferAnswerState, SdpRole } from './offer-answer.js';
