/** POST /api/invoke: the broker (web/lib/broker). Errors are JSON { error, reason, hint }. */
import { MAX_INVOKE_BODY_BYTES } from "@agentry/protocol";
import { getBroker, log } from "@/lib/broker/instance";
import { errorResponse, jsonResponse, readJson } from "@/lib/http-json";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readJson(request, MAX_INVOKE_BODY_BYTES);
    const ip = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || "unknown";
    return jsonResponse(await getBroker().invoke(body, { ip }));
  } catch (error) {
    return errorResponse(error, (msg, fields) => log("error", msg, fields));
  }
}
