package io.cascade.auth;

import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who may publish and who may play, decided the same way for every protocol: {@code auth.publish} and
 * {@code auth.play} each say {@link Mode#NONE} (anyone), {@link Mode#TOKEN} (a signed query, {@link UrlTokens}),
 * {@link Mode#CALLBACK} (an HTTP service, {@link CallbackAuthoriser}) or {@link Mode#PASSWORD} (a user of
 * {@code auth.users}, {@link Passwords}). Publish admission asks it for every publisher and the viewer fan-out for
 * every viewer; each protocol carries the {@link Credentials} it got (the query, and the user its own password scheme
 * proved) and maps a refusal to its own status.
 */
public final class Authorisation {
    /** How one action is authorised. */
    public enum Mode {
        NONE, TOKEN, CALLBACK, PASSWORD;

        static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(MODES);
            }
        }
    }

    private static final String MODES = "one of none, token, callback, password";
    /** What a 401 says when tokens (or a callback) decide: they travel in the URL's query, not in a header. */
    private static final String TOKEN_CHALLENGE = "Token realm=\"cascade\", query=\"expires,sig\"";
    /** Largest users file read: 10,000 users of the longest names and passwords fit. */
    public static final long MAX_USERS_FILE_BYTES = 4L << 20;
    public static final Setting<Mode> PUBLISH = Setting.of("auth.publish", "none", MODES, Mode::parse,
            "who may publish, on every protocol: `none` (anyone), `token` (a signed `expires=..&sig=..` query, see"
                    + " Authorisation), `callback` (`auth.callback.url` decides), `password` (a user of `auth.users`:"
                    + " RTMP `user:password@`, RTSP Basic or Digest)");
    public static final Setting<Mode> PLAY = Setting.of("auth.play", "none", MODES, Mode::parse,
            "who may play, on every protocol (RTMP, RTSP, HLS and DASH requests, HTTP-FLV, WebSocket, player pages):"
                    + " `none`, `token`, `callback` or `password` (HTTP Basic for the HTTP routes), as `auth.publish`");
    public static final Setting<String> SECRET = Setting.of("auth.secret", "",
            "empty or at least " + UrlTokens.MIN_SECRET_BYTES + " bytes", text -> {
                if (!text.isEmpty() && text.getBytes(StandardCharsets.UTF_8).length < UrlTokens.MIN_SECRET_BYTES) {
                    throw new IllegalArgumentException("too short");
                }
                return text;
            }, "the secret tokens are signed with (HMAC-SHA256); the same on every node; needed by `token` and by"
                    + " the API's `signUrl`").secret();
    public static final Setting<String> USERS = Setting.of("auth.users", "", "empty or a file of user:password lines",
            text -> text, "the users `password` accepts: a file of `user:password` lines (`#` comments), read at"
                    + " start; the same on every node");
    public static final Setting<String> CALLBACK_URL = Setting.of("auth.callback.url", "",
            "empty or an http:// or https:// URL", Authorisation::callbackUrl,
            "where `callback` asks: a POST of JSON `{name, protocol, action, peer, query}`; a 2xx answer allows,"
                    + " any other denies");
    public static final Setting<Long> CALLBACK_CACHE_MS = Setting.longInteger("auth.callback.cache.ms", 5_000, 0,
            3_600_000, "how long a callback answer is reused for the same name, protocol, action, peer address and"
                    + " query; `0`: never");
    public static final Setting<Long> CALLBACK_TIMEOUT_MS = Setting.longInteger("auth.callback.timeout.ms", 2_000,
            100, 60_000, "how long the callback may take to answer");
    public static final Setting<String> CALLBACK_ON_TIMEOUT = Setting.oneOf("auth.callback.on.timeout", "deny",
            List.of("deny", "allow"), "what a callback that did not answer in time (or could not be reached) counts as");

    /** Every setting of authorisation, in the order of the README's table. */
    public static final List<Setting<?>> SETTINGS = List.of(PUBLISH, PLAY, SECRET, USERS, CALLBACK_URL,
            CALLBACK_CACHE_MS, CALLBACK_TIMEOUT_MS, CALLBACK_ON_TIMEOUT);

    /** The values of {@link #SETTINGS}. */
    public record Config(Mode publish, Mode play, String secret, String usersFile, String callbackUrl,
                         long callbackCacheMs, long callbackTimeoutMs, boolean allowWhenUnanswered) {
        /** Anyone may publish and play. */
        public static final Config OPEN = new Config(Mode.NONE, Mode.NONE, "", "", "", 0, 1_000, false);

        /** Whether either action asks for {@code mode}. */
        boolean uses(Mode mode) {
            return publish == mode || play == mode;
        }

        /** What is missing for these values to work together, one sentence per problem; empty when nothing. */
        public List<String> problems() {
            List<String> out = new ArrayList<>();
            if (uses(Mode.TOKEN) && secret.isEmpty()) {
                out.add(SECRET.key() + " must be set when " + PUBLISH.key() + " or " + PLAY.key() + " is token");
            }
            if (uses(Mode.CALLBACK) && callbackUrl.isEmpty()) {
                out.add(CALLBACK_URL.key() + " must be set when " + PUBLISH.key() + " or " + PLAY.key()
                        + " is callback");
            }
            if (uses(Mode.PASSWORD) && usersFile.isEmpty()) {
                out.add(USERS.key() + " must be set when " + PUBLISH.key() + " or " + PLAY.key() + " is password");
            } else if (uses(Mode.PASSWORD)) {
                try {
                    readUsers(usersFile);
                } catch (IllegalArgumentException e) {
                    out.add(e.getMessage());
                }
            }
            return out;
        }
    }

    /** Anyone may publish and play: for nodes and tests that ask for nothing. */
    public static final Authorisation OPEN = new Authorisation(Config.OPEN, null, null, null);

    private final Config config;
    private final UrlTokens tokens;
    private final CallbackAuthoriser callback;
    private final Passwords passwords;

    private Authorisation(Config config, UrlTokens tokens, CallbackAuthoriser callback, Passwords passwords) {
        this.config = config;
        this.tokens = tokens;
        this.callback = callback;
        this.passwords = passwords;
    }

    /** Authorisation as configured; throws {@link IllegalArgumentException} when the values do not work together. */
    public static Authorisation of(Vertx vertx, Config config) {
        List<String> problems = config.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        UrlTokens tokens = config.secret().isEmpty() ? null : new UrlTokens(config.secret());
        return new Authorisation(config, tokens, config.uses(Mode.CALLBACK) ? new CallbackAuthoriser(vertx,
                config.callbackUrl(), config.callbackCacheMs(), config.callbackTimeoutMs(),
                config.allowWhenUnanswered()) : null,
                config.uses(Mode.PASSWORD) ? readUsers(config.usersFile()) : null);
    }

    /** The users of {@code auth.users}; throws {@link IllegalArgumentException} saying what is wrong with the file. */
    static Passwords readUsers(String file) {
        String where = USERS.key() + " " + file + ": ";
        try {
            Path path = Path.of(file);
            if (Files.size(path) > MAX_USERS_FILE_BYTES) {
                throw new IllegalArgumentException(where + "larger than " + MAX_USERS_FILE_BYTES + " bytes");
            }
            return Passwords.parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException(where + "cannot be read (" + e.getClass().getSimpleName() + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(where) ? e.getMessage()
                    : where + e.getMessage());
        }
    }

    /** The users a password proves, or null when no action asks for one. */
    public Passwords passwords() {
        return passwords;
    }

    /**
     * The challenge an HTTP 401 carries for {@code action}: Basic when it asks for a password, else the token
     * convention (tokens travel in the URL's query, not in a header).
     */
    public String httpChallenge(Action action) {
        return mode(action) == Mode.PASSWORD ? Passwords.basicChallenge() : TOKEN_CHALLENGE;
    }


    /** How {@code action} is authorised here. */
    public Mode mode(Action action) {
        return action == Action.PUBLISH ? config.publish() : config.play();
    }

    /** Tokens signed with the node's secret, or null when it has none (for the API's signUrl). */
    public UrlTokens tokens() {
        return tokens;
    }

    /** Decides on one request. Completes on any thread: callers go back to their own context. */
    public Future<Verdict> check(AccessRequest r) {
        return switch (mode(r.action())) {
            case NONE -> Future.succeededFuture(Verdict.OPEN);
            case TOKEN -> Future.succeededFuture(tokens.check(r.action(), r.stream(), r.query(),
                    System.currentTimeMillis() / 1000));
            case CALLBACK -> callback.check(r);
            case PASSWORD -> Future.succeededFuture(password(r.credentials()));
        };
    }

    private static Verdict password(Credentials c) {
        if (!c.user().isEmpty()) {
            return Verdict.allow("user " + c.user());
        }
        return c.passwordOffered() ? Verdict.deny(true, "the password check failed")
                : Verdict.deny(false, "no password offered");
    }

    /**
     * Whether a refusal of {@code action} is only the first step of a password scheme: the client offered no
     * password and its protocol now asks for one. Such a refusal is neither counted nor logged above DEBUG: every
     * RTSP or HTTP client with a password in its URL is refused once this way before it sends it.
     */
    public boolean isChallenge(Action action, Verdict verdict) {
        return !verdict.allowed() && !verdict.presented() && mode(action) == Mode.PASSWORD;
    }

    public Future<Void> close() {
        return callback == null ? Future.succeededFuture() : callback.close();
    }

    private static String callbackUrl(String text) {
        if (text.isEmpty()) {
            return text;
        }
        try {
            URI u = new URI(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http:// or https:// URL with a host");
            }
            return text;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL");
        }
    }
}
