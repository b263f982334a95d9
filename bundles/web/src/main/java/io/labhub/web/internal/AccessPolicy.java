package io.labhub.web.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The console's access rule (docs/web.md "Access"), as a pure function of the request's headers so that it is
 * tested without a server:
 * <ul>
 * <li>listening on a non-loopback address needs a token ({@link #forListener}: no token, no listener);</li>
 * <li>with a token, every request needs it ({@code Authorization: Bearer} or, for the page's GETs, the
 *     {@code labhub_token} cookie); on loopback without a token, reads are open;</li>
 * <li>every state-changing request (POST) needs the token in the {@code Authorization} header when one is
 *     configured, and is refused when its {@code Origin} is not the console's own; on loopback without a token it
 *     must prove it is same-origin ({@code Origin} or {@code Sec-Fetch-Site: same-origin});</li>
 * <li>on loopback, a {@code Host} that is not a loopback name is refused (DNS rebinding);</li>
 * <li>the page's own files ({@link #checkPage}) need no token: they are the same for everyone and hold no lab
 *     data, and a browser without the token must get the page to type it in.</li>
 * </ul>
 */
final class AccessPolicy {

    static final String COOKIE = "labhub_token";

    /** A refusal: the status to answer, a code and a message for the JSON body and the log. */
    record Refusal(int status, String code, String message) {
    }

    /** What a request shows of itself. Any header may be null. */
    record Request(String method, String host, String origin, String secFetchSite, String authorization, String cookie, int localPort) {
    }

    private final boolean loopback;
    private final String token;
    /** {@code http://} or, with TLS, {@code https://}: the scheme of the console's own origin. */
    private final String scheme;

    private AccessPolicy(boolean loopback, String token, boolean tls) {
        this.loopback = loopback;
        this.token = token;
        this.scheme = tls ? "https://" : "http://";
    }

    /**
     * @param host  the configured address
     * @param token the configured token, or null
     * @throws IllegalStateException when {@code host} is not a loopback address and there is no token
     */
    static AccessPolicy forListener(String host, String token) {
        return forListener(host, token, false);
    }

    /** @param tls whether the console serves HTTPS (then its own origin is {@code https://}) */
    static AccessPolicy forListener(String host, String token, boolean tls) {
        boolean loopback = isLoopback(host);
        if (!loopback && token == null) {
            throw new IllegalStateException("io.labhub.web host " + host + " is not a loopback address and no tokenFile "
                    + "is configured: the console refuses to listen (set tokenFile to an owner-only file, or host = 127.0.0.1)");
        }
        return new AccessPolicy(loopback, token, tls);
    }

    static boolean isLoopback(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("io.labhub.web host " + host + " is not an address of this machine: " + e.getMessage(), e);
        }
    }

    boolean tokenConfigured() {
        return token != null;
    }

    /** @return null when the request may go on, else why not */
    Refusal check(Request r) {
        Refusal host = hostRule(r);
        if (host != null) {
            return host;
        }
        boolean post = !"GET".equals(r.method()) && !"HEAD".equals(r.method());
        if (token != null) {
            boolean byHeader = bearer(r.authorization());
            boolean byCookie = !post && cookie(r.cookie());
            if (!byHeader && !byCookie) {
                return new Refusal(401, "AUTH_FAILED", post ? "this action needs Authorization: Bearer TOKEN (io.labhub.web tokenFile)"
                        : "this console needs its token (Authorization: Bearer TOKEN, or the page's token field)");
            }
        }
        if (!post) {
            return null;
        }
        if (r.origin() != null && !ownOrigin(r.origin(), r.host(), r.localPort())) {
            return new Refusal(403, "FORBIDDEN_ORIGIN", "Origin " + r.origin() + " is not this console's origin");
        }
        if (token == null && r.origin() == null && !"same-origin".equals(r.secFetchSite())) {
            return new Refusal(403, "FORBIDDEN_ORIGIN", "an action without a token must come from the console's own page "
                    + "(Origin or Sec-Fetch-Site: same-origin); configure tokenFile for other clients");
        }
        return null;
    }

    /**
     * The rule for the page's own files (HTML, CSS, JavaScript): only the Host rule and reads, no token. Every
     * endpoint the page then calls for data or actions is under {@link #check}, token and all.
     *
     * @return null when the request may go on, else why not
     */
    Refusal checkPage(Request r) {
        Refusal host = hostRule(r);
        if (host != null) {
            return host;
        }
        if (!"GET".equals(r.method()) && !"HEAD".equals(r.method())) {
            return new Refusal(405, "METHOD_NOT_ALLOWED", "the console's page is read only (GET)");
        }
        return null;
    }

    private Refusal hostRule(Request r) {
        if (loopback && r.host() != null && !loopbackHostHeader(r.host())) {
            return new Refusal(403, "FORBIDDEN_HOST", "Host " + r.host() + " is not a loopback name; the console listens on loopback only");
        }
        return null;
    }

    /**
     * The console's own origin: its scheme (http, or https with TLS) and this port; on loopback a loopback name, elsewhere the very host the
     * request was sent to (its {@code Host}), so a page of another site is refused even if it holds the token.
     */
    private boolean ownOrigin(String origin, String hostHeader, int port) {
        String o = origin.toLowerCase(Locale.ROOT);
        String prefix = scheme;
        if (!o.startsWith(prefix)) {
            return false;
        }
        String hostPort = o.substring(prefix.length());
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.endsWith("]")) {
            return false; // port 80 is never the console's
        }
        String host = hostPort.substring(0, colon);
        if (!hostPort.substring(colon + 1).equals(Integer.toString(port))) {
            return false;
        }
        return loopback ? loopbackName(host) : hostHeader != null && hostPort.equals(hostHeader.toLowerCase(Locale.ROOT));
    }

    private static boolean loopbackHostHeader(String hostHeader) {
        String h = hostHeader.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && !h.endsWith("]")) {
            h = h.substring(0, colon);
        }
        return loopbackName(h);
    }

    private static boolean loopbackName(String host) {
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private boolean bearer(String authorization) {
        return authorization != null && authorization.startsWith("Bearer ") && same(authorization.substring(7).strip());
    }

    private boolean cookie(String cookieHeader) {
        if (cookieHeader == null) {
            return false;
        }
        for (String part : cookieHeader.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=") && same(p.substring(COOKIE.length() + 1))) {
                return true;
            }
        }
        return false;
    }

    private boolean same(String presented) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}
