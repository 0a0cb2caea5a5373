/**
 * POST /api/invoke as a function of a Web Request: the App Router route (app/api/invoke/route.ts)
 * and the production server's fast path (web/server.ts) both answer with it.
 */
import { MAX_INVOKE_BODY_BYTES } from "@agentry/protocol";
import { errorResponse, jsonResponse, readJson } from "../http-json.ts";
import { getBroker, log } from "./instance.ts";

export async function handleInvoke(request: Request): Promise<Response> {
  try {
    const body = await readJson(request, MAX_INVOKE_BODY_BYTES);
    const ip = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || "unknown";
    return jsonResponse(await getBroker().invoke(body, { ip }));
  } catch (error) {
    return errorResponse(error, (msg, fields) => log("error", msg, fields));
  }
}
