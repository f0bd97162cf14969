import { notFoundHandler } from "@/lib/http/handler";

// Any /api path no route serves answers the JSON envelope, not Next's HTML 404 page.
export const GET = notFoundHandler;
export const POST = notFoundHandler;
export const PUT = notFoundHandler;
export const PATCH = notFoundHandler;
export const DELETE = notFoundHandler;
