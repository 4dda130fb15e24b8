// The only code that speaks HTTP to Replicate (and to the hosts its answers point at). Every API
// call goes through the credential's authenticate block (httpRequestWithAuthentication); statuses
// are read here, not thrown by axios, so the retry policy and the error messages live in one place.
// This file only says what the transport offers; each concern has its module:
//   connection.ts   the credential: Base URL, token, the contexts requests are sent from
//   errors.ts       error shaping and redaction of what reaches an error
//   exchange.ts     one HTTP exchange, its redirects and the token policy
//   request.ts      an API request: retry policies, pacing (pacing.ts), deadlines
//   paginate.ts     `next` cursors
//   download.ts     output files into the binary store (fileRequest.ts, downloadBody.ts)
//   eventStream.ts  Server-Sent Events from a stream URL
//   baseUrl.ts      the Base URL: its check, URLs moved onto it, the note on a 404 it may cause
//   policy.ts       the outbound-URL policy: which URLs from outside may be fetched
//   redact.ts       secrets out of errors
//   timings.ts      every wait, and the one way to wait
export { CREDENTIAL, cancelSignal, connection, getBaseUrl } from './connection';
export type { Connection, CredentialContext, ReplicateContext } from './connection';
export { apiError, asNodeError, isDeadlineError, mayHaveCreatedNote } from './errors';
export { apiRequest, retryAfterMs } from './request';
export type { ApiRequest, ApiResponse, RetryPolicy } from './request';
export { apiRequestAllItems } from './paginate';
export { downloadFile } from './download';
export type { DownloadLimits, FileToDownload } from './download';
export type { Download } from './fileRequest';
export { openEventStream } from './eventStream';
export type { EventStream } from './eventStream';
export { RATE_LIMITS, resetPacing } from './pacing';
export { DEFAULT_BASE_URL, rebase } from './baseUrl';
export { isLocalHost, outboundUrlProblem } from './policy';
export { redactText } from './redact';
export { pause, scaled, timings } from './timings';
