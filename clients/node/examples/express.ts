// The README's example, type-checked by test/run against dist/index.d.ts.
import { AuthRpcClient, requireAuth, AuthRequest, AuthResponse, UnauthenticatedError, TransportError, TokenUse } from "@authrpc/client";

declare const app: { get(path: string, ...handlers: ((req: AuthRequest, res: AuthResponse & { json(body: unknown): void }, next: () => void) => void)[]): void };

const authrpc = new AuthRpcClient({ addresses: ["10.0.0.5:7400", "10.0.0.6:7400"], deadlineMs: 2000 });

app.get("/orders", requireAuth({ client: authrpc, tokenUse: "access", allowedGroups: ["staff", "admins"] }), (req, res) => {
  res.json({ user: req.auth!.claims.username, groups: req.auth!.matchedGroups });
});

export async function check(token: string): Promise<string | undefined> {
  try {
    const { claims } = await authrpc.verifyToken({ token, tokenUse: TokenUse.TOKEN_USE_ACCESS, requiredScopes: ["orders/read"] });
    return claims!.sub;
  } catch (err) {
    if (err instanceof UnauthenticatedError) return undefined; // err.errorType: "TokenExpired", ...
    if (err instanceof TransportError) throw err; // authrpc unreachable
    throw err;
  }
}
