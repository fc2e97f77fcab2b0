package io.cascade.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asks an HTTP service whether a client may publish or play: a POST of the JSON object
 * {@code {"name", "protocol", "action", "peer", "query"}} to the configured URL; any 2xx answer allows, any other
 * status denies. An answer is reused for {@code cacheMs} for the same request (name, protocol, action, peer address,
 * query), and requests that come while the first is on its way wait for it instead of asking again, so an HLS viewer's
 * segment requests or a crowd joining at once cost one call. The cache is bounded ({@link #MAX_CACHED}, least
 * recently used out first).
 *
 * <p>No answer within {@code timeoutMs} (a slow service, a refused connection, a reset) counts as allow or deny, as
 * configured. The query, which may hold a token, goes to the service (it is the operator's) but into no log line.
 */
public final class CallbackAuthoriser {
    /** Answers kept at most. */
    public static final int MAX_CACHED = 10_000;
    /** Calls under way at once; past it, and past the wait queue, a request counts as unanswered at once. */
    static final int MAX_CONNECTIONS = 32;
    static final int MAX_WAITING = 1_000;

    private final Vertx vertx;
    private final HttpClientAgent client;
    private final String url;
    private final long cacheNanos;
    private final long timeoutMs;
    private final boolean allowWhenUnanswered;
    private final Map<Key, Entry> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > MAX_CACHED;
        }
    };

    private record Key(Action action, String name, String protocol, String peer, String query) {
    }

    private static final class Entry {
        final Future<Verdict> answer;
        /** Long.MAX_VALUE while the call is under way. */
        volatile long expiresAtNanos = Long.MAX_VALUE;

        Entry(Future<Verdict> answer) {
            this.answer = answer;
        }
    }

    /**
     * @param url                 http:// or https:// URL of the service
     * @param allowWhenUnanswered what a call without an answer within {@code timeoutMs} counts as
     */
    public CallbackAuthoriser(Vertx vertx, String url, long cacheMs, long timeoutMs, boolean allowWhenUnanswered) {
        URI parsed = URI.create(url);
        this.vertx = vertx;
        this.url = url;
        this.cacheNanos = cacheMs * 1_000_000;
        this.timeoutMs = timeoutMs;
        this.allowWhenUnanswered = allowWhenUnanswered;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setSsl("https".equalsIgnoreCase(parsed.getScheme())).setConnectTimeout((int) timeoutMs)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS).setMaxWaitQueueSize(MAX_WAITING));
    }

    /** The service's answer for this request, from the cache when it has a fresh one. Completes on any thread. */
    public Future<Verdict> check(AccessRequest r) {
        Key key = new Key(r.action(), r.stream(), r.protocol(), r.peerAddress(), r.query());
        long now = System.nanoTime();
        Promise<Verdict> asked;
        Entry entry;
        synchronized (cache) {
            Entry cached = cache.get(key);
            if (cached != null && now - cached.expiresAtNanos < 0) {
                return cached.answer;
            }
            asked = Promise.promise();
            entry = new Entry(asked.future());
            cache.put(key, entry);
        }
        asked.future().onComplete(done -> {
            synchronized (cache) {
                if (cacheNanos == 0) {
                    cache.remove(key, entry);
                } else {
                    entry.expiresAtNanos = System.nanoTime() + cacheNanos;
                }
            }
        });
        call(key, asked);
        return asked.future();
    }

    /** Answers cached or under way now. */
    public int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private void call(Key key, Promise<Verdict> answer) {
        JsonObject body = new JsonObject().put("name", key.name()).put("protocol", key.protocol())
                .put("action", key.action().word()).put("peer", key.peer()).put("query", key.query());
        long timer = vertx.setTimer(timeoutMs, id -> answer.tryComplete(unanswered("no answer in " + timeoutMs + " ms")));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
                .putHeader("Content-Type", "application/json");
        client.request(options)
                .compose(request -> request.send(Buffer.buffer(body.encode())))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(result -> {
                    vertx.cancelTimer(timer);
                    if (result.failed()) {
                        answer.tryComplete(unanswered("unreachable (" + result.cause().getClass().getSimpleName()
                                + ")"));
                    } else if (result.result() / 100 == 2) {
                        answer.tryComplete(Verdict.allow("callback answered " + result.result()));
                    } else {
                        answer.tryComplete(Verdict.deny(true, "callback answered " + result.result()));
                    }
                });
    }

    private Verdict unanswered(String why) {
        String reason = "callback " + why + ", counted as " + (allowWhenUnanswered ? "allow" : "deny");
        return allowWhenUnanswered ? Verdict.allow(reason) : Verdict.deny(true, reason);
    }

    public Future<Void> close() {
        return client.close();
    }
}
