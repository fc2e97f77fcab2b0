package io.cascade.metrics;

/**
 * A rate limit: {@code perSecond} on average, bursts of up to {@code burst}. Starts full. Not thread-safe: one
 * owner (an event loop) takes from it.
 */
public final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double perSecond, double burst) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate " + perSecond + "/s, burst " + burst);
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = System.nanoTime();
    }

    /** Takes one token if there is one now. */
    public boolean tryTake() {
        return tryTake(System.nanoTime());
    }

    /** Takes one token if there is one at {@code nowNanos} ({@link System#nanoTime} time). */
    public boolean tryTake(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            lastNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
