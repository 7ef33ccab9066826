// A NestJS controller's use of the guard, type-checked by test/run (NestJS's own
// decorators are declared here, since NestJS is not installed).
import { AuthRpcClient, Authentication, Authorization, AuthRpcGuard, AuthInfo, HttpExecutionContext } from "@authrpc/client";

declare function UseGuards(...guards: { canActivate(context: HttpExecutionContext): Promise<boolean> }[]): MethodDecorator & ClassDecorator;
declare function Get(path?: string): MethodDecorator;
declare function Req(): ParameterDecorator;

const authrpc = new AuthRpcClient({ addresses: process.env.AUTHRPC_ADDRESSES?.split(",") ?? ["127.0.0.1:7400"] });

export class OrdersController {
  @Get()
  @UseGuards(Authentication(authrpc, { tokenUse: "access" }))
  list(@Req() req: { auth: AuthInfo }) {
    return { user: req.auth.claims.username };
  }

  @Get("admin")
  @UseGuards(Authorization(authrpc, { allowedGroups: ["admins", "ops"], requiredGroups: ["mfa"] }))
  admin() {
    return "ok";
  }
}

export const guard: AuthRpcGuard = Authorization(authrpc, ["admins"]);
