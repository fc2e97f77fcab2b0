package io.cascade.relay;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The life of one relay, whatever its protocol: an attempt (the protocol's {@code connect}), its end, the wait before
 * the next one with keepAlive ({@link Backoff}), and the relay's end for good. A protocol's relay opens its connection
 * when asked and reports {@link #running} and {@link #ended}; everything runs on the context that made this.
 */
public final class RelayAttempts {
    private static final Logger log = LoggerFactory.getLogger(RelayAttempts.class);

    private final Vertx vertx;
    private final Context context;
    private final RelayConfig config;
    private final String what;
    private final RelayStatus status;
    private final Runnable connect;
    private long retryTimer = -1;
    private boolean stopped;

    /**
     * @param what         the relay as logs name it, e.g. "pull p-1 (cam from rtmp://src:1935/live/cam)": no
     *                     credentials, no query
     * @param nodeAttempts the node's count of relay attempts
     * @param connect      starts one attempt; the attempt ends with {@link #ended}, whatever happens
     */
    public RelayAttempts(Vertx vertx, RelayConfig config, String what, LongAdder nodeAttempts, Runnable connect) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        this.what = what;
        this.status = new RelayStatus(nodeAttempts);
        this.connect = connect;
    }

    public Context context() {
        return context;
    }

    /** Makes the first attempt. */
    public void start() {
        context.runOnContext(v -> attempt());
    }

    private void attempt() {
        if (!stopped) {
            status.connecting();
            connect.run();
        }
    }

    /** The attempt carries the stream now. */
    public void running() {
        status.running();
    }

    public boolean stopped() {
        return stopped;
    }

    /** The attempt ended, its connection closed and what it held released: with keepAlive the next one follows. */
    public void ended(String reason) {
        if (stopped) {
            status.stopped();
            return;
        }
        long wait = status.ended(reason);
        if (!config.keepAlive()) {
            log.info("{} ended: {}", what, reason);
            status.stopped();
            return;
        }
        log.info("{} ended: {}; attempt {} in {} ms", what, reason, status.attempts() + 1, wait);
        retryTimer = vertx.setTimer(wait, id -> {
            retryTimer = -1;
            attempt();
        });
    }

    /**
     * The source ended as it was meant to (a file pull reached the end of its file): the relay is done, with no further
     * attempt whatever keepAlive says; an attempt again would only replay the same end.
     */
    public void finished(String reason) {
        if (!stopped) {
            log.info("{} finished: {}", what, reason);
        }
        stopped = true;
        vertx.cancelTimer(retryTimer);
        status.finished(reason);
    }

    /**
     * Stops for good. {@code closeAttempt} ends the attempt under way, if any, and answers whether there was one: it
     * then reports {@link #ended} as any end does; without one the relay is stopped at once.
     */
    public void stop(BooleanSupplier closeAttempt) {
        context.runOnContext(v -> {
            stopped = true;
            vertx.cancelTimer(retryTimer);
            if (!closeAttempt.getAsBoolean()) {
                status.stopped();
            }
        });
    }

    /** Stops for good, closing the connection of the attempt under way: {@code current}'s answer, null for none. */
    public void stopClosing(java.util.function.Supplier<? extends RelayConnection> current) {
        stop(() -> {
            RelayConnection c = current.get();
            if (c == null) {
                return false;
            }
            c.close("stopped");
            return true;
        });
    }

    public JsonObject status() {
        return status.toJson();
    }
}
