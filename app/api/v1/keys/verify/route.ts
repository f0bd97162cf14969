import { verifyHandler } from "@/lib/data-api/verify-handler";
import { methodNotAllowed } from "@/lib/http/handler";

// The production server answers POST on its fast path with the same handler; this serves `next dev`.
export const POST = verifyHandler;

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
