export declare const protoPackage = "authrpc.v1";
export declare enum Status {
    OK = 0,
    INVALID_ARGUMENT = 1,
    UNAUTHENTICATED = 2,
    PERMISSION_DENIED = 3,
    NOT_FOUND = 4,
    ALREADY_EXISTS = 5,
    FAILED_PRECONDITION = 6,
    RESOURCE_EXHAUSTED = 7,
    UNAVAILABLE = 8,
    DEADLINE_EXCEEDED = 9,
    UNIMPLEMENTED = 10,
    INTERNAL = 11
}
export declare enum TokenUse {
    TOKEN_USE_ANY = 0,
    TOKEN_USE_ID = 1,
    TOKEN_USE_ACCESS = 2
}
/** `authrpc.v1.Request`, as decoded. */
export interface Request {
    id: bigint;
    deadlineMs: number;
    traceparent: string;
    body?: {
        case: "health";
        value: HealthRequest;
    } | {
        case: "register";
        value: RegisterRequest;
    } | {
        case: "confirmRegistration";
        value: ConfirmRegistrationRequest;
    } | {
        case: "resendConfirmationCode";
        value: ResendConfirmationCodeRequest;
    } | {
        case: "authenticate";
        value: AuthenticateRequest;
    } | {
        case: "respondToChallenge";
        value: RespondToChallengeRequest;
    } | {
        case: "refreshTokens";
        value: RefreshTokensRequest;
    } | {
        case: "signOut";
        value: SignOutRequest;
    } | {
        case: "forgotPassword";
        value: ForgotPasswordRequest;
    } | {
        case: "confirmForgotPassword";
        value: ConfirmForgotPasswordRequest;
    } | {
        case: "verifyToken";
        value: VerifyTokenRequest;
    } | {
        case: "checkGroups";
        value: CheckGroupsRequest;
    };
}
/** What `encodeRequest` takes: every field optional (absent = proto3 default). */
export interface RequestInit {
    id?: bigint | number;
    deadlineMs?: number;
    traceparent?: string;
    body?: {
        case: "health";
        value: HealthRequestInit;
    } | {
        case: "register";
        value: RegisterRequestInit;
    } | {
        case: "confirmRegistration";
        value: ConfirmRegistrationRequestInit;
    } | {
        case: "resendConfirmationCode";
        value: ResendConfirmationCodeRequestInit;
    } | {
        case: "authenticate";
        value: AuthenticateRequestInit;
    } | {
        case: "respondToChallenge";
        value: RespondToChallengeRequestInit;
    } | {
        case: "refreshTokens";
        value: RefreshTokensRequestInit;
    } | {
        case: "signOut";
        value: SignOutRequestInit;
    } | {
        case: "forgotPassword";
        value: ForgotPasswordRequestInit;
    } | {
        case: "confirmForgotPassword";
        value: ConfirmForgotPasswordRequestInit;
    } | {
        case: "verifyToken";
        value: VerifyTokenRequestInit;
    } | {
        case: "checkGroups";
        value: CheckGroupsRequestInit;
    };
}
/** `authrpc.v1.Response`, as decoded. */
export interface Response {
    id: bigint;
    status: Status;
    message: string;
    errorType: string;
    retryAfterMs: number;
    body?: {
        case: "health";
        value: HealthResponse;
    } | {
        case: "register";
        value: RegisterResponse;
    } | {
        case: "confirmRegistration";
        value: ConfirmRegistrationResponse;
    } | {
        case: "resendConfirmationCode";
        value: ResendConfirmationCodeResponse;
    } | {
        case: "authenticate";
        value: AuthenticateResponse;
    } | {
        case: "respondToChallenge";
        value: AuthenticateResponse;
    } | {
        case: "refreshTokens";
        value: AuthenticateResponse;
    } | {
        case: "signOut";
        value: SignOutResponse;
    } | {
        case: "forgotPassword";
        value: ForgotPasswordResponse;
    } | {
        case: "confirmForgotPassword";
        value: ConfirmForgotPasswordResponse;
    } | {
        case: "verifyToken";
        value: VerifyTokenResponse;
    } | {
        case: "checkGroups";
        value: CheckGroupsResponse;
    };
}
/** What `encodeResponse` takes: every field optional (absent = proto3 default). */
export interface ResponseInit {
    id?: bigint | number;
    status?: Status;
    message?: string;
    errorType?: string;
    retryAfterMs?: number;
    body?: {
        case: "health";
        value: HealthResponseInit;
    } | {
        case: "register";
        value: RegisterResponseInit;
    } | {
        case: "confirmRegistration";
        value: ConfirmRegistrationResponseInit;
    } | {
        case: "resendConfirmationCode";
        value: ResendConfirmationCodeResponseInit;
    } | {
        case: "authenticate";
        value: AuthenticateResponseInit;
    } | {
        case: "respondToChallenge";
        value: AuthenticateResponseInit;
    } | {
        case: "refreshTokens";
        value: AuthenticateResponseInit;
    } | {
        case: "signOut";
        value: SignOutResponseInit;
    } | {
        case: "forgotPassword";
        value: ForgotPasswordResponseInit;
    } | {
        case: "confirmForgotPassword";
        value: ConfirmForgotPasswordResponseInit;
    } | {
        case: "verifyToken";
        value: VerifyTokenResponseInit;
    } | {
        case: "checkGroups";
        value: CheckGroupsResponseInit;
    };
}
/** `authrpc.v1.Claims`, as decoded. */
export interface Claims {
    sub: string;
    username: string;
    email: string;
    emailVerified: boolean;
    groups: string[];
    tokenUse: TokenUse;
    clientId: string;
    scopes: string[];
    issuer: string;
    issuedAt: bigint;
    expiresAt: bigint;
    authTime: bigint;
    jti: string;
    originJti: string;
    payloadJson: string;
}
/** What `encodeClaims` takes: every field optional (absent = proto3 default). */
export interface ClaimsInit {
    sub?: string;
    username?: string;
    email?: string;
    emailVerified?: boolean;
    groups?: string[];
    tokenUse?: TokenUse;
    clientId?: string;
    scopes?: string[];
    issuer?: string;
    issuedAt?: bigint | number;
    expiresAt?: bigint | number;
    authTime?: bigint | number;
    jti?: string;
    originJti?: string;
    payloadJson?: string;
}
/** `authrpc.v1.Tokens`, as decoded. */
export interface Tokens {
    idToken: string;
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    tokenType: string;
}
/** What `encodeTokens` takes: every field optional (absent = proto3 default). */
export interface TokensInit {
    idToken?: string;
    accessToken?: string;
    refreshToken?: string;
    expiresIn?: number;
    tokenType?: string;
}
/** `authrpc.v1.Challenge`, as decoded. */
export interface Challenge {
    name: string;
    session: string;
    parameters: {
        [key: string]: string;
    };
}
/** What `encodeChallenge` takes: every field optional (absent = proto3 default). */
export interface ChallengeInit {
    name?: string;
    session?: string;
    parameters?: {
        [key: string]: string;
    };
}
/** `authrpc.v1.CodeDelivery`, as decoded. */
export interface CodeDelivery {
    destination: string;
    deliveryMedium: string;
    attributeName: string;
}
/** What `encodeCodeDelivery` takes: every field optional (absent = proto3 default). */
export interface CodeDeliveryInit {
    destination?: string;
    deliveryMedium?: string;
    attributeName?: string;
}
/** `authrpc.v1.HealthRequest`, as decoded. */
export interface HealthRequest {
}
/** What `encodeHealthRequest` takes: every field optional (absent = proto3 default). */
export interface HealthRequestInit {
}
/** `authrpc.v1.HealthResponse`, as decoded. */
export interface HealthResponse {
    version: string;
    uptimeSeconds: bigint;
    pools: PoolStatus[];
}
/** What `encodeHealthResponse` takes: every field optional (absent = proto3 default). */
export interface HealthResponseInit {
    version?: string;
    uptimeSeconds?: bigint | number;
    pools?: PoolStatusInit[];
}
/** `authrpc.v1.PoolStatus`, as decoded. */
export interface PoolStatus {
    issuer: string;
    keys: number;
    lastRefreshUnix: bigint;
    lastError: string;
}
/** What `encodePoolStatus` takes: every field optional (absent = proto3 default). */
export interface PoolStatusInit {
    issuer?: string;
    keys?: number;
    lastRefreshUnix?: bigint | number;
    lastError?: string;
}
/** `authrpc.v1.RegisterRequest`, as decoded. */
export interface RegisterRequest {
    username: string;
    password: string;
    email: string;
    attributes: {
        [key: string]: string;
    };
}
/** What `encodeRegisterRequest` takes: every field optional (absent = proto3 default). */
export interface RegisterRequestInit {
    username?: string;
    password?: string;
    email?: string;
    attributes?: {
        [key: string]: string;
    };
}
/** `authrpc.v1.RegisterResponse`, as decoded. */
export interface RegisterResponse {
    userSub: string;
    userConfirmed: boolean;
    codeDelivery?: CodeDelivery;
}
/** What `encodeRegisterResponse` takes: every field optional (absent = proto3 default). */
export interface RegisterResponseInit {
    userSub?: string;
    userConfirmed?: boolean;
    codeDelivery?: CodeDeliveryInit;
}
/** `authrpc.v1.ConfirmRegistrationRequest`, as decoded. */
export interface ConfirmRegistrationRequest {
    username: string;
    code: string;
}
/** What `encodeConfirmRegistrationRequest` takes: every field optional (absent = proto3 default). */
export interface ConfirmRegistrationRequestInit {
    username?: string;
    code?: string;
}
/** `authrpc.v1.ConfirmRegistrationResponse`, as decoded. */
export interface ConfirmRegistrationResponse {
}
/** What `encodeConfirmRegistrationResponse` takes: every field optional (absent = proto3 default). */
export interface ConfirmRegistrationResponseInit {
}
/** `authrpc.v1.ResendConfirmationCodeRequest`, as decoded. */
export interface ResendConfirmationCodeRequest {
    username: string;
}
/** What `encodeResendConfirmationCodeRequest` takes: every field optional (absent = proto3 default). */
export interface ResendConfirmationCodeRequestInit {
    username?: string;
}
/** `authrpc.v1.ResendConfirmationCodeResponse`, as decoded. */
export interface ResendConfirmationCodeResponse {
    codeDelivery?: CodeDelivery;
}
/** What `encodeResendConfirmationCodeResponse` takes: every field optional (absent = proto3 default). */
export interface ResendConfirmationCodeResponseInit {
    codeDelivery?: CodeDeliveryInit;
}
/** `authrpc.v1.AuthenticateRequest`, as decoded. */
export interface AuthenticateRequest {
    username: string;
    password: string;
}
/** What `encodeAuthenticateRequest` takes: every field optional (absent = proto3 default). */
export interface AuthenticateRequestInit {
    username?: string;
    password?: string;
}
/** `authrpc.v1.AuthenticateResponse`, as decoded. */
export interface AuthenticateResponse {
    tokens?: Tokens;
    challenge?: Challenge;
}
/** What `encodeAuthenticateResponse` takes: every field optional (absent = proto3 default). */
export interface AuthenticateResponseInit {
    tokens?: TokensInit;
    challenge?: ChallengeInit;
}
/** `authrpc.v1.RespondToChallengeRequest`, as decoded. */
export interface RespondToChallengeRequest {
    username: string;
    challengeName: string;
    session: string;
    responses: {
        [key: string]: string;
    };
}
/** What `encodeRespondToChallengeRequest` takes: every field optional (absent = proto3 default). */
export interface RespondToChallengeRequestInit {
    username?: string;
    challengeName?: string;
    session?: string;
    responses?: {
        [key: string]: string;
    };
}
/** `authrpc.v1.RefreshTokensRequest`, as decoded. */
export interface RefreshTokensRequest {
    refreshToken: string;
    username: string;
}
/** What `encodeRefreshTokensRequest` takes: every field optional (absent = proto3 default). */
export interface RefreshTokensRequestInit {
    refreshToken?: string;
    username?: string;
}
/** `authrpc.v1.SignOutRequest`, as decoded. */
export interface SignOutRequest {
    accessToken: string;
}
/** What `encodeSignOutRequest` takes: every field optional (absent = proto3 default). */
export interface SignOutRequestInit {
    accessToken?: string;
}
/** `authrpc.v1.SignOutResponse`, as decoded. */
export interface SignOutResponse {
}
/** What `encodeSignOutResponse` takes: every field optional (absent = proto3 default). */
export interface SignOutResponseInit {
}
/** `authrpc.v1.ForgotPasswordRequest`, as decoded. */
export interface ForgotPasswordRequest {
    username: string;
}
/** What `encodeForgotPasswordRequest` takes: every field optional (absent = proto3 default). */
export interface ForgotPasswordRequestInit {
    username?: string;
}
/** `authrpc.v1.ForgotPasswordResponse`, as decoded. */
export interface ForgotPasswordResponse {
    codeDelivery?: CodeDelivery;
}
/** What `encodeForgotPasswordResponse` takes: every field optional (absent = proto3 default). */
export interface ForgotPasswordResponseInit {
    codeDelivery?: CodeDeliveryInit;
}
/** `authrpc.v1.ConfirmForgotPasswordRequest`, as decoded. */
export interface ConfirmForgotPasswordRequest {
    username: string;
    code: string;
    newPassword: string;
}
/** What `encodeConfirmForgotPasswordRequest` takes: every field optional (absent = proto3 default). */
export interface ConfirmForgotPasswordRequestInit {
    username?: string;
    code?: string;
    newPassword?: string;
}
/** `authrpc.v1.ConfirmForgotPasswordResponse`, as decoded. */
export interface ConfirmForgotPasswordResponse {
}
/** What `encodeConfirmForgotPasswordResponse` takes: every field optional (absent = proto3 default). */
export interface ConfirmForgotPasswordResponseInit {
}
/** `authrpc.v1.VerifyTokenRequest`, as decoded. */
export interface VerifyTokenRequest {
    token: string;
    tokenUse: TokenUse;
    requiredScopes: string[];
}
/** What `encodeVerifyTokenRequest` takes: every field optional (absent = proto3 default). */
export interface VerifyTokenRequestInit {
    token?: string;
    tokenUse?: TokenUse;
    requiredScopes?: string[];
}
/** `authrpc.v1.VerifyTokenResponse`, as decoded. */
export interface VerifyTokenResponse {
    claims?: Claims;
}
/** What `encodeVerifyTokenResponse` takes: every field optional (absent = proto3 default). */
export interface VerifyTokenResponseInit {
    claims?: ClaimsInit;
}
/** `authrpc.v1.CheckGroupsRequest`, as decoded. */
export interface CheckGroupsRequest {
    token: string;
    tokenUse: TokenUse;
    allowedGroups: string[];
    requiredGroups: string[];
    prohibitedGroups: string[];
}
/** What `encodeCheckGroupsRequest` takes: every field optional (absent = proto3 default). */
export interface CheckGroupsRequestInit {
    token?: string;
    tokenUse?: TokenUse;
    allowedGroups?: string[];
    requiredGroups?: string[];
    prohibitedGroups?: string[];
}
/** `authrpc.v1.CheckGroupsResponse`, as decoded. */
export interface CheckGroupsResponse {
    claims?: Claims;
    matchedGroups: string[];
}
/** What `encodeCheckGroupsResponse` takes: every field optional (absent = proto3 default). */
export interface CheckGroupsResponseInit {
    claims?: ClaimsInit;
    matchedGroups?: string[];
}
/** A frame or field did not decode; the connection's framing may be lost. */
export declare class DecodeError extends Error {
    constructor(message: string);
}
/** Bytes `writeRequest` writes for m (without any frame header). */
export declare function sizeRequest(m: RequestInit): number;
/** Writes m at b[pos...] (b must have `sizeRequest(m)` bytes there); returns the end. */
export declare function writeRequest(m: RequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeRequest(m: RequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.Request`; throws DecodeError. */
export declare function decodeRequest(b: Uint8Array, start?: number, end?: number): Request;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function requestToJson(m: Request): JsonObject;
/** The inverse of `requestToJson` (proto field names; absent = default). */
export declare function requestFromJson(o: JsonObject): Request;
/** Bytes `writeResponse` writes for m (without any frame header). */
export declare function sizeResponse(m: ResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeResponse(m)` bytes there); returns the end. */
export declare function writeResponse(m: ResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeResponse(m: ResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.Response`; throws DecodeError. */
export declare function decodeResponse(b: Uint8Array, start?: number, end?: number): Response;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function responseToJson(m: Response): JsonObject;
/** The inverse of `responseToJson` (proto field names; absent = default). */
export declare function responseFromJson(o: JsonObject): Response;
/** Bytes `writeClaims` writes for m (without any frame header). */
export declare function sizeClaims(m: ClaimsInit): number;
/** Writes m at b[pos...] (b must have `sizeClaims(m)` bytes there); returns the end. */
export declare function writeClaims(m: ClaimsInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeClaims(m: ClaimsInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.Claims`; throws DecodeError. */
export declare function decodeClaims(b: Uint8Array, start?: number, end?: number): Claims;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function claimsToJson(m: Claims): JsonObject;
/** The inverse of `claimsToJson` (proto field names; absent = default). */
export declare function claimsFromJson(o: JsonObject): Claims;
/** Bytes `writeTokens` writes for m (without any frame header). */
export declare function sizeTokens(m: TokensInit): number;
/** Writes m at b[pos...] (b must have `sizeTokens(m)` bytes there); returns the end. */
export declare function writeTokens(m: TokensInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeTokens(m: TokensInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.Tokens`; throws DecodeError. */
export declare function decodeTokens(b: Uint8Array, start?: number, end?: number): Tokens;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function tokensToJson(m: Tokens): JsonObject;
/** The inverse of `tokensToJson` (proto field names; absent = default). */
export declare function tokensFromJson(o: JsonObject): Tokens;
/** Bytes `writeChallenge` writes for m (without any frame header). */
export declare function sizeChallenge(m: ChallengeInit): number;
/** Writes m at b[pos...] (b must have `sizeChallenge(m)` bytes there); returns the end. */
export declare function writeChallenge(m: ChallengeInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeChallenge(m: ChallengeInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.Challenge`; throws DecodeError. */
export declare function decodeChallenge(b: Uint8Array, start?: number, end?: number): Challenge;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function challengeToJson(m: Challenge): JsonObject;
/** The inverse of `challengeToJson` (proto field names; absent = default). */
export declare function challengeFromJson(o: JsonObject): Challenge;
/** Bytes `writeCodeDelivery` writes for m (without any frame header). */
export declare function sizeCodeDelivery(m: CodeDeliveryInit): number;
/** Writes m at b[pos...] (b must have `sizeCodeDelivery(m)` bytes there); returns the end. */
export declare function writeCodeDelivery(m: CodeDeliveryInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeCodeDelivery(m: CodeDeliveryInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.CodeDelivery`; throws DecodeError. */
export declare function decodeCodeDelivery(b: Uint8Array, start?: number, end?: number): CodeDelivery;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function codeDeliveryToJson(m: CodeDelivery): JsonObject;
/** The inverse of `codeDeliveryToJson` (proto field names; absent = default). */
export declare function codeDeliveryFromJson(o: JsonObject): CodeDelivery;
/** Bytes `writeHealthRequest` writes for m (without any frame header). */
export declare function sizeHealthRequest(m: HealthRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeHealthRequest(m)` bytes there); returns the end. */
export declare function writeHealthRequest(m: HealthRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeHealthRequest(m: HealthRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.HealthRequest`; throws DecodeError. */
export declare function decodeHealthRequest(b: Uint8Array, start?: number, end?: number): HealthRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function healthRequestToJson(m: HealthRequest): JsonObject;
/** The inverse of `healthRequestToJson` (proto field names; absent = default). */
export declare function healthRequestFromJson(o: JsonObject): HealthRequest;
/** Bytes `writeHealthResponse` writes for m (without any frame header). */
export declare function sizeHealthResponse(m: HealthResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeHealthResponse(m)` bytes there); returns the end. */
export declare function writeHealthResponse(m: HealthResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeHealthResponse(m: HealthResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.HealthResponse`; throws DecodeError. */
export declare function decodeHealthResponse(b: Uint8Array, start?: number, end?: number): HealthResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function healthResponseToJson(m: HealthResponse): JsonObject;
/** The inverse of `healthResponseToJson` (proto field names; absent = default). */
export declare function healthResponseFromJson(o: JsonObject): HealthResponse;
/** Bytes `writePoolStatus` writes for m (without any frame header). */
export declare function sizePoolStatus(m: PoolStatusInit): number;
/** Writes m at b[pos...] (b must have `sizePoolStatus(m)` bytes there); returns the end. */
export declare function writePoolStatus(m: PoolStatusInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodePoolStatus(m: PoolStatusInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.PoolStatus`; throws DecodeError. */
export declare function decodePoolStatus(b: Uint8Array, start?: number, end?: number): PoolStatus;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function poolStatusToJson(m: PoolStatus): JsonObject;
/** The inverse of `poolStatusToJson` (proto field names; absent = default). */
export declare function poolStatusFromJson(o: JsonObject): PoolStatus;
/** Bytes `writeRegisterRequest` writes for m (without any frame header). */
export declare function sizeRegisterRequest(m: RegisterRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeRegisterRequest(m)` bytes there); returns the end. */
export declare function writeRegisterRequest(m: RegisterRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeRegisterRequest(m: RegisterRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.RegisterRequest`; throws DecodeError. */
export declare function decodeRegisterRequest(b: Uint8Array, start?: number, end?: number): RegisterRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function registerRequestToJson(m: RegisterRequest): JsonObject;
/** The inverse of `registerRequestToJson` (proto field names; absent = default). */
export declare function registerRequestFromJson(o: JsonObject): RegisterRequest;
/** Bytes `writeRegisterResponse` writes for m (without any frame header). */
export declare function sizeRegisterResponse(m: RegisterResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeRegisterResponse(m)` bytes there); returns the end. */
export declare function writeRegisterResponse(m: RegisterResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeRegisterResponse(m: RegisterResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.RegisterResponse`; throws DecodeError. */
export declare function decodeRegisterResponse(b: Uint8Array, start?: number, end?: number): RegisterResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function registerResponseToJson(m: RegisterResponse): JsonObject;
/** The inverse of `registerResponseToJson` (proto field names; absent = default). */
export declare function registerResponseFromJson(o: JsonObject): RegisterResponse;
/** Bytes `writeConfirmRegistrationRequest` writes for m (without any frame header). */
export declare function sizeConfirmRegistrationRequest(m: ConfirmRegistrationRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeConfirmRegistrationRequest(m)` bytes there); returns the end. */
export declare function writeConfirmRegistrationRequest(m: ConfirmRegistrationRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeConfirmRegistrationRequest(m: ConfirmRegistrationRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ConfirmRegistrationRequest`; throws DecodeError. */
export declare function decodeConfirmRegistrationRequest(b: Uint8Array, start?: number, end?: number): ConfirmRegistrationRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function confirmRegistrationRequestToJson(m: ConfirmRegistrationRequest): JsonObject;
/** The inverse of `confirmRegistrationRequestToJson` (proto field names; absent = default). */
export declare function confirmRegistrationRequestFromJson(o: JsonObject): ConfirmRegistrationRequest;
/** Bytes `writeConfirmRegistrationResponse` writes for m (without any frame header). */
export declare function sizeConfirmRegistrationResponse(m: ConfirmRegistrationResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeConfirmRegistrationResponse(m)` bytes there); returns the end. */
export declare function writeConfirmRegistrationResponse(m: ConfirmRegistrationResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeConfirmRegistrationResponse(m: ConfirmRegistrationResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ConfirmRegistrationResponse`; throws DecodeError. */
export declare function decodeConfirmRegistrationResponse(b: Uint8Array, start?: number, end?: number): ConfirmRegistrationResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function confirmRegistrationResponseToJson(m: ConfirmRegistrationResponse): JsonObject;
/** The inverse of `confirmRegistrationResponseToJson` (proto field names; absent = default). */
export declare function confirmRegistrationResponseFromJson(o: JsonObject): ConfirmRegistrationResponse;
/** Bytes `writeResendConfirmationCodeRequest` writes for m (without any frame header). */
export declare function sizeResendConfirmationCodeRequest(m: ResendConfirmationCodeRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeResendConfirmationCodeRequest(m)` bytes there); returns the end. */
export declare function writeResendConfirmationCodeRequest(m: ResendConfirmationCodeRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeResendConfirmationCodeRequest(m: ResendConfirmationCodeRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ResendConfirmationCodeRequest`; throws DecodeError. */
export declare function decodeResendConfirmationCodeRequest(b: Uint8Array, start?: number, end?: number): ResendConfirmationCodeRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function resendConfirmationCodeRequestToJson(m: ResendConfirmationCodeRequest): JsonObject;
/** The inverse of `resendConfirmationCodeRequestToJson` (proto field names; absent = default). */
export declare function resendConfirmationCodeRequestFromJson(o: JsonObject): ResendConfirmationCodeRequest;
/** Bytes `writeResendConfirmationCodeResponse` writes for m (without any frame header). */
export declare function sizeResendConfirmationCodeResponse(m: ResendConfirmationCodeResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeResendConfirmationCodeResponse(m)` bytes there); returns the end. */
export declare function writeResendConfirmationCodeResponse(m: ResendConfirmationCodeResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeResendConfirmationCodeResponse(m: ResendConfirmationCodeResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ResendConfirmationCodeResponse`; throws DecodeError. */
export declare function decodeResendConfirmationCodeResponse(b: Uint8Array, start?: number, end?: number): ResendConfirmationCodeResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function resendConfirmationCodeResponseToJson(m: ResendConfirmationCodeResponse): JsonObject;
/** The inverse of `resendConfirmationCodeResponseToJson` (proto field names; absent = default). */
export declare function resendConfirmationCodeResponseFromJson(o: JsonObject): ResendConfirmationCodeResponse;
/** Bytes `writeAuthenticateRequest` writes for m (without any frame header). */
export declare function sizeAuthenticateRequest(m: AuthenticateRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeAuthenticateRequest(m)` bytes there); returns the end. */
export declare function writeAuthenticateRequest(m: AuthenticateRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeAuthenticateRequest(m: AuthenticateRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.AuthenticateRequest`; throws DecodeError. */
export declare function decodeAuthenticateRequest(b: Uint8Array, start?: number, end?: number): AuthenticateRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function authenticateRequestToJson(m: AuthenticateRequest): JsonObject;
/** The inverse of `authenticateRequestToJson` (proto field names; absent = default). */
export declare function authenticateRequestFromJson(o: JsonObject): AuthenticateRequest;
/** Bytes `writeAuthenticateResponse` writes for m (without any frame header). */
export declare function sizeAuthenticateResponse(m: AuthenticateResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeAuthenticateResponse(m)` bytes there); returns the end. */
export declare function writeAuthenticateResponse(m: AuthenticateResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeAuthenticateResponse(m: AuthenticateResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.AuthenticateResponse`; throws DecodeError. */
export declare function decodeAuthenticateResponse(b: Uint8Array, start?: number, end?: number): AuthenticateResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function authenticateResponseToJson(m: AuthenticateResponse): JsonObject;
/** The inverse of `authenticateResponseToJson` (proto field names; absent = default). */
export declare function authenticateResponseFromJson(o: JsonObject): AuthenticateResponse;
/** Bytes `writeRespondToChallengeRequest` writes for m (without any frame header). */
export declare function sizeRespondToChallengeRequest(m: RespondToChallengeRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeRespondToChallengeRequest(m)` bytes there); returns the end. */
export declare function writeRespondToChallengeRequest(m: RespondToChallengeRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeRespondToChallengeRequest(m: RespondToChallengeRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.RespondToChallengeRequest`; throws DecodeError. */
export declare function decodeRespondToChallengeRequest(b: Uint8Array, start?: number, end?: number): RespondToChallengeRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function respondToChallengeRequestToJson(m: RespondToChallengeRequest): JsonObject;
/** The inverse of `respondToChallengeRequestToJson` (proto field names; absent = default). */
export declare function respondToChallengeRequestFromJson(o: JsonObject): RespondToChallengeRequest;
/** Bytes `writeRefreshTokensRequest` writes for m (without any frame header). */
export declare function sizeRefreshTokensRequest(m: RefreshTokensRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeRefreshTokensRequest(m)` bytes there); returns the end. */
export declare function writeRefreshTokensRequest(m: RefreshTokensRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeRefreshTokensRequest(m: RefreshTokensRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.RefreshTokensRequest`; throws DecodeError. */
export declare function decodeRefreshTokensRequest(b: Uint8Array, start?: number, end?: number): RefreshTokensRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function refreshTokensRequestToJson(m: RefreshTokensRequest): JsonObject;
/** The inverse of `refreshTokensRequestToJson` (proto field names; absent = default). */
export declare function refreshTokensRequestFromJson(o: JsonObject): RefreshTokensRequest;
/** Bytes `writeSignOutRequest` writes for m (without any frame header). */
export declare function sizeSignOutRequest(m: SignOutRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeSignOutRequest(m)` bytes there); returns the end. */
export declare function writeSignOutRequest(m: SignOutRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeSignOutRequest(m: SignOutRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.SignOutRequest`; throws DecodeError. */
export declare function decodeSignOutRequest(b: Uint8Array, start?: number, end?: number): SignOutRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function signOutRequestToJson(m: SignOutRequest): JsonObject;
/** The inverse of `signOutRequestToJson` (proto field names; absent = default). */
export declare function signOutRequestFromJson(o: JsonObject): SignOutRequest;
/** Bytes `writeSignOutResponse` writes for m (without any frame header). */
export declare function sizeSignOutResponse(m: SignOutResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeSignOutResponse(m)` bytes there); returns the end. */
export declare function writeSignOutResponse(m: SignOutResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeSignOutResponse(m: SignOutResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.SignOutResponse`; throws DecodeError. */
export declare function decodeSignOutResponse(b: Uint8Array, start?: number, end?: number): SignOutResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function signOutResponseToJson(m: SignOutResponse): JsonObject;
/** The inverse of `signOutResponseToJson` (proto field names; absent = default). */
export declare function signOutResponseFromJson(o: JsonObject): SignOutResponse;
/** Bytes `writeForgotPasswordRequest` writes for m (without any frame header). */
export declare function sizeForgotPasswordRequest(m: ForgotPasswordRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeForgotPasswordRequest(m)` bytes there); returns the end. */
export declare function writeForgotPasswordRequest(m: ForgotPasswordRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeForgotPasswordRequest(m: ForgotPasswordRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ForgotPasswordRequest`; throws DecodeError. */
export declare function decodeForgotPasswordRequest(b: Uint8Array, start?: number, end?: number): ForgotPasswordRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function forgotPasswordRequestToJson(m: ForgotPasswordRequest): JsonObject;
/** The inverse of `forgotPasswordRequestToJson` (proto field names; absent = default). */
export declare function forgotPasswordRequestFromJson(o: JsonObject): ForgotPasswordRequest;
/** Bytes `writeForgotPasswordResponse` writes for m (without any frame header). */
export declare function sizeForgotPasswordResponse(m: ForgotPasswordResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeForgotPasswordResponse(m)` bytes there); returns the end. */
export declare function writeForgotPasswordResponse(m: ForgotPasswordResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeForgotPasswordResponse(m: ForgotPasswordResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ForgotPasswordResponse`; throws DecodeError. */
export declare function decodeForgotPasswordResponse(b: Uint8Array, start?: number, end?: number): ForgotPasswordResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function forgotPasswordResponseToJson(m: ForgotPasswordResponse): JsonObject;
/** The inverse of `forgotPasswordResponseToJson` (proto field names; absent = default). */
export declare function forgotPasswordResponseFromJson(o: JsonObject): ForgotPasswordResponse;
/** Bytes `writeConfirmForgotPasswordRequest` writes for m (without any frame header). */
export declare function sizeConfirmForgotPasswordRequest(m: ConfirmForgotPasswordRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeConfirmForgotPasswordRequest(m)` bytes there); returns the end. */
export declare function writeConfirmForgotPasswordRequest(m: ConfirmForgotPasswordRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeConfirmForgotPasswordRequest(m: ConfirmForgotPasswordRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ConfirmForgotPasswordRequest`; throws DecodeError. */
export declare function decodeConfirmForgotPasswordRequest(b: Uint8Array, start?: number, end?: number): ConfirmForgotPasswordRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function confirmForgotPasswordRequestToJson(m: ConfirmForgotPasswordRequest): JsonObject;
/** The inverse of `confirmForgotPasswordRequestToJson` (proto field names; absent = default). */
export declare function confirmForgotPasswordRequestFromJson(o: JsonObject): ConfirmForgotPasswordRequest;
/** Bytes `writeConfirmForgotPasswordResponse` writes for m (without any frame header). */
export declare function sizeConfirmForgotPasswordResponse(m: ConfirmForgotPasswordResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeConfirmForgotPasswordResponse(m)` bytes there); returns the end. */
export declare function writeConfirmForgotPasswordResponse(m: ConfirmForgotPasswordResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeConfirmForgotPasswordResponse(m: ConfirmForgotPasswordResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.ConfirmForgotPasswordResponse`; throws DecodeError. */
export declare function decodeConfirmForgotPasswordResponse(b: Uint8Array, start?: number, end?: number): ConfirmForgotPasswordResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function confirmForgotPasswordResponseToJson(m: ConfirmForgotPasswordResponse): JsonObject;
/** The inverse of `confirmForgotPasswordResponseToJson` (proto field names; absent = default). */
export declare function confirmForgotPasswordResponseFromJson(o: JsonObject): ConfirmForgotPasswordResponse;
/** Bytes `writeVerifyTokenRequest` writes for m (without any frame header). */
export declare function sizeVerifyTokenRequest(m: VerifyTokenRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeVerifyTokenRequest(m)` bytes there); returns the end. */
export declare function writeVerifyTokenRequest(m: VerifyTokenRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeVerifyTokenRequest(m: VerifyTokenRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.VerifyTokenRequest`; throws DecodeError. */
export declare function decodeVerifyTokenRequest(b: Uint8Array, start?: number, end?: number): VerifyTokenRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function verifyTokenRequestToJson(m: VerifyTokenRequest): JsonObject;
/** The inverse of `verifyTokenRequestToJson` (proto field names; absent = default). */
export declare function verifyTokenRequestFromJson(o: JsonObject): VerifyTokenRequest;
/** Bytes `writeVerifyTokenResponse` writes for m (without any frame header). */
export declare function sizeVerifyTokenResponse(m: VerifyTokenResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeVerifyTokenResponse(m)` bytes there); returns the end. */
export declare function writeVerifyTokenResponse(m: VerifyTokenResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeVerifyTokenResponse(m: VerifyTokenResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.VerifyTokenResponse`; throws DecodeError. */
export declare function decodeVerifyTokenResponse(b: Uint8Array, start?: number, end?: number): VerifyTokenResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function verifyTokenResponseToJson(m: VerifyTokenResponse): JsonObject;
/** The inverse of `verifyTokenResponseToJson` (proto field names; absent = default). */
export declare function verifyTokenResponseFromJson(o: JsonObject): VerifyTokenResponse;
/** Bytes `writeCheckGroupsRequest` writes for m (without any frame header). */
export declare function sizeCheckGroupsRequest(m: CheckGroupsRequestInit): number;
/** Writes m at b[pos...] (b must have `sizeCheckGroupsRequest(m)` bytes there); returns the end. */
export declare function writeCheckGroupsRequest(m: CheckGroupsRequestInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeCheckGroupsRequest(m: CheckGroupsRequestInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.CheckGroupsRequest`; throws DecodeError. */
export declare function decodeCheckGroupsRequest(b: Uint8Array, start?: number, end?: number): CheckGroupsRequest;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function checkGroupsRequestToJson(m: CheckGroupsRequest): JsonObject;
/** The inverse of `checkGroupsRequestToJson` (proto field names; absent = default). */
export declare function checkGroupsRequestFromJson(o: JsonObject): CheckGroupsRequest;
/** Bytes `writeCheckGroupsResponse` writes for m (without any frame header). */
export declare function sizeCheckGroupsResponse(m: CheckGroupsResponseInit): number;
/** Writes m at b[pos...] (b must have `sizeCheckGroupsResponse(m)` bytes there); returns the end. */
export declare function writeCheckGroupsResponse(m: CheckGroupsResponseInit, b: Buffer, pos: number): number;
/** m serialized (deterministic, SPEC §4). */
export declare function encodeCheckGroupsResponse(m: CheckGroupsResponseInit): Buffer;
/** Decodes b[start..<end] (the whole of b by default) as `authrpc.v1.CheckGroupsResponse`; throws DecodeError. */
export declare function decodeCheckGroupsResponse(b: Uint8Array, start?: number, end?: number): CheckGroupsResponse;
/** protobuf's JSON mapping with proto field names; defaults left out; 64-bit integers as strings. */
export declare function checkGroupsResponseToJson(m: CheckGroupsResponse): JsonObject;
/** The inverse of `checkGroupsResponseToJson` (proto field names; absent = default). */
export declare function checkGroupsResponseFromJson(o: JsonObject): CheckGroupsResponse;
/** Every RPC: the Request body member, its request message and the answer's message (SPEC §4). */
export interface Rpcs {
    health: {
        request: HealthRequestInit;
        response: HealthResponse;
    };
    register: {
        request: RegisterRequestInit;
        response: RegisterResponse;
    };
    confirmRegistration: {
        request: ConfirmRegistrationRequestInit;
        response: ConfirmRegistrationResponse;
    };
    resendConfirmationCode: {
        request: ResendConfirmationCodeRequestInit;
        response: ResendConfirmationCodeResponse;
    };
    authenticate: {
        request: AuthenticateRequestInit;
        response: AuthenticateResponse;
    };
    respondToChallenge: {
        request: RespondToChallengeRequestInit;
        response: AuthenticateResponse;
    };
    refreshTokens: {
        request: RefreshTokensRequestInit;
        response: AuthenticateResponse;
    };
    signOut: {
        request: SignOutRequestInit;
        response: SignOutResponse;
    };
    forgotPassword: {
        request: ForgotPasswordRequestInit;
        response: ForgotPasswordResponse;
    };
    confirmForgotPassword: {
        request: ConfirmForgotPasswordRequestInit;
        response: ConfirmForgotPasswordResponse;
    };
    verifyToken: {
        request: VerifyTokenRequestInit;
        response: VerifyTokenResponse;
    };
    checkGroups: {
        request: CheckGroupsRequestInit;
        response: CheckGroupsResponse;
    };
}
/** The Rpcs' names, in field-number order. */
export declare const rpcNames: readonly (keyof Rpcs)[];
export declare type JsonObject = {
    [key: string]: unknown;
};
