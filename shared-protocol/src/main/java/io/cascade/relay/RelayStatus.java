package io.cascade.relay;

import io.vertx.core.json.JsonObject;

/**
 * Where one relay stands, as listPullPushConfig shows it: connecting, running, waiting to try again, or stopped; how
 * many attempts it made and why the last one ended. Updated from the relay's event loop, read from any thread.
 */
public final class RelayStatus {
    public enum State { CONNECTING, RUNNING, WAITING, STOPPED }

    private volatile State state = State.CONNECTING;
    private volatile long attempts;
    private volatile long sinceMillis = System.currentTimeMillis();
    private volatile String lastError = "";
    private final Backoff backoff = new Backoff();
    private final java.util.concurrent.atomic.LongAdder nodeAttempts;

    /** @param nodeAttempts the node's count of relay attempts, which this relay's add to */
    public RelayStatus(java.util.concurrent.atomic.LongAdder nodeAttempts) {
        this.nodeAttempts = nodeAttempts;
    }

    /** A new attempt begins. */
    public void connecting() {
        attempts++;
        nodeAttempts.increment();
        set(State.CONNECTING);
    }

    public void running() {
        set(State.RUNNING);
    }

    /**
     * The attempt ended for {@code reason}; answers how long to wait before the next one (with keepAlive), and
     * notes it.
     */
    public long ended(String reason) {
        long lasted = state == State.RUNNING ? System.currentTimeMillis() - sinceMillis : 0;
        lastError = reason;
        set(State.WAITING);
        return backoff.after(lasted);
    }

    public void stopped() {
        set(State.STOPPED);
    }

    /** Stopped because the source ended as it should; {@code reason} is what listPullPushConfig shows. */
    public void finished(String reason) {
        lastError = reason;
        set(State.STOPPED);
    }

    public State state() {
        return state;
    }

    public long attempts() {
        return attempts;
    }

    private void set(State s) {
        state = s;
        sinceMillis = System.currentTimeMillis();
    }

    public JsonObject toJson() {
        return new JsonObject().put("state", state.name().toLowerCase(java.util.Locale.ROOT)).put("attempts", attempts)
                .put("since", sinceMillis).put("lastError", lastError);
    }
}
