package io.cascade.edge.http;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * How many HLS viewers a node has. HLS is stateless (a player is only its requests), so each multivariant playlist
 * hands its player a session id in the URIs of its media playlists ({@value #PARAM}), which the player then sends with
 * every media playlist reload; a session seen within {@link #WINDOW_NANOS} is a viewer. Segments stay free of it, so
 * they remain the same bytes at the same URL for every viewer and every cache. Thread-safe.
 */
final class HlsSessions {
    /** The query parameter that carries a session. */
    static final String PARAM = "cascade_session";
    /** A session not seen for this long has gone: well over the reload interval of a live playlist. */
    static final long WINDOW_NANOS = 15_000_000_000L;
    /** Sessions counted at most: past it a node counts no more (a bound on what requests can make it hold). */
    static final int MAX_SESSIONS = 100_000;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private final Map<String, Long> lastSeen = new HashMap<>();

    /** A new session id, for a player's first playlist. */
    static String newId() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }

    /**
     * A media playlist request carried {@code id} (or null, or anything else a client made up: ignored); answers
     * whether that is a new viewer.
     */
    synchronized boolean seen(String id, long nowNanos) {
        if (id == null || !ID.matcher(id).matches()) {
            return false;
        }
        if (lastSeen.size() >= MAX_SESSIONS && !lastSeen.containsKey(id)) {
            return false;
        }
        return lastSeen.put(id, nowNanos) == null;
    }

    /** Forgets the sessions not seen within the window; answers how many it forgot: viewers gone. */
    synchronized int sweep(long nowNanos) {
        int gone = 0;
        for (Iterator<Long> it = lastSeen.values().iterator(); it.hasNext(); ) {
            if (nowNanos - it.next() > WINDOW_NANOS) {
                it.remove();
                gone++;
            }
        }
        return gone;
    }
}
