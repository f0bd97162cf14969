import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { keysCsvResponse } from "@/lib/keys/export-csv";

export const GET = withBearer((_request, { userId }) => keysCsvResponse(userId));

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
