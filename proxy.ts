import { withAuth } from "next-auth/middleware";
import { getConfig } from "@/lib/config/env";

// Signed-out visitors of portal pages are sent to /login (and back after signing in).
export default withAuth({
  secret: getConfig().sessionSecret,
  pages: { signIn: "/login" },
});

export const config = {
  matcher: ["/keys/:path*", "/usage/:path*", "/docs/:path*", "/plan/:path*"],
};
