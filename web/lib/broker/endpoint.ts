/**
 * POST /api/invoke as a function of a request body and the caller's address: the App Router route
 * (app/api/invoke/route.ts) answers with it from a Web Request, the production server's fast path
 * (web/server.ts) straight from Node's request, without building Web Request and Response objects.
 */
import { MAX_INVOKE_BODY_BYTES } from "@agentry/protocol";
import { bodyOf, errorAnswer, jsonAnswer, readJson, toResponse, type BodySource, type JsonAnswer } from "../http-json.ts";
import { routeClientAddress } from "../client-address.ts";
import { getBroker, log } from "./instance.ts";

export async function answerInvoke(body: BodySource, ip: string): Promise<JsonAnswer> {
  try {
    return jsonAnswer(await getBroker().invoke(await readJson(body, MAX_INVOKE_BODY_BYTES), { ip }));
  } catch (error) {
    return errorAnswer(error, (msg, fields) => log("error", msg, fields));
  }
}

export async function handleInvoke(request: Request): Promise<Response> {
  return toResponse(await answerInvoke(bodyOf(request), routeClientAddress(request.headers)));
}
