/** POST /api/invoke: the broker (web/lib/broker). Errors are JSON { error, reason, hint }. */
import { handleInvoke } from "@/lib/broker/endpoint";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handleInvoke(request);
}
