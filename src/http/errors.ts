/**
 * Every error the HTTP API returns has a stable code, so the till software and scripts branch
 * on `error.code`, never on message text. Codes are never reused for another meaning.
 */
export const apiErrors = {
  UNAUTHORIZED: { status: 401, message: 'a valid bearer token is required (Authorization: Bearer <http.token>)' },
  NOT_FOUND: { status: 404, message: 'no such resource' },
  UNKNOWN_DEVICE: { status: 404, message: 'no device with this id' },
  NOT_SIMULATED: { status: 409, message: 'this device is real; faults can only be switched on simulated devices' },
  BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  CROSS_SITE: { status: 403, message: 'state-changing requests must come from the agent\'s own page or a non-browser client' },
  INTERNAL: { status: 500, message: 'internal error; see the agent log' },
} as const;

export type ApiErrorCode = keyof typeof apiErrors;

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message?: string,
  ) {
    super(message ?? apiErrors[code].message);
  }

  get status(): number {
    return apiErrors[this.code].status;
  }
}

export function errorBody(code: ApiErrorCode, message: string): { error: { code: ApiErrorCode; message: string } } {
  return { error: { code, message } };
}
