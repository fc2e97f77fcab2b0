package io.cascade.media;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What everything on a node that grows with its streams may hold, together: one limit for the frame bytes kept on
 * the heap (GOP and segment caches, segment windows, packaged segments), and the direct memory the node measures
 * (the encoded frames waiting in viewers' sockets). Per-stream bounds alone let enough streams exhaust the heap.
 *
 * <p>Two marks:
 * <ul>
 *   <li>past {@link #PUBLISH_MARK} of either limit the node takes no new publisher ({@link #admitsPublisher}): a
 *   stream admitted just under it still has room to fill its caches. It takes them again once both are under
 *   {@link #RESUME_MARK}, so a node at the mark does not take and refuse publishers by turns as caches breathe;</li>
 *   <li>past the heap limit itself ({@link #over}) the holders shrink to what they cannot do without (a cache keeps
 *   one segment, a window its newest segments, packaged bytes are built per request) until it is back under.</li>
 * </ul>
 *
 * <p>Holders count what they keep, whichever thread they run on. A frame held by two holders (the ingest cache and
 * a window on the same node) is counted twice: the count is an upper bound of what they keep, never below it.
 */
public final class MemoryBudget {
    /** The share of a limit past which new publishers are refused. */
    public static final double PUBLISH_MARK = 0.9;
    /** The share of both limits under which a full node takes publishers again. */
    public static final double RESUME_MARK = 0.8;

    /** Bytes one kind of holder keeps now; every change also moves the budget's total. */
    public final class Account {
        private final AtomicLong held = new AtomicLong();

        private Account() {
        }

        /** Counts bytes kept whatever the budget (what a holder cannot do without, or gives back soon). */
        public void take(long bytes) {
            held.addAndGet(bytes);
            heapHeld.addAndGet(bytes);
        }

        /** Counts bytes kept only if the heap limit allows them; false (nothing counted) if not. */
        public boolean tryTake(long bytes) {
            if (heapHeld.addAndGet(bytes) > heapLimit) {
                heapHeld.addAndGet(-bytes);
                return false;
            }
            held.addAndGet(bytes);
            return true;
        }

        public void give(long bytes) {
            take(-bytes);
        }

        public long held() {
            return held.get();
        }
    }

    private final long heapLimit;
    private final long directLimit;
    private final AtomicLong heapHeld = new AtomicLong();
    private volatile long directUsed;
    private volatile boolean full;
    private final LongAdder shrinks = new LongAdder();

    /** GOP caches of viewers' hubs and segment caches of ingested streams. */
    public final Account caches = new Account();
    /** Frames of the segments HTTP playlists list. */
    public final Account windows = new Account();
    /** Segments packaged for HTTP (CMAF, TS) and kept for the next request. */
    public final Account packaged = new Account();

    /**
     * @param heapLimit   frame bytes the holders may keep on the heap together
     * @param directLimit direct memory the node may use before it takes no new publisher
     */
    public MemoryBudget(long heapLimit, long directLimit) {
        if (heapLimit < 1 || directLimit < 1) {
            throw new IllegalArgumentException("memory limits must be positive: " + heapLimit + ", " + directLimit);
        }
        this.heapLimit = heapLimit;
        this.directLimit = directLimit;
    }

    /** A budget that counts and never refuses: for tools and tests that are not about memory. */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Direct memory in use, as the node last measured it. */
    public void directUsed(long bytes) {
        directUsed = bytes;
    }

    public long heapHeld() {
        return heapHeld.get();
    }

    public long heapLimit() {
        return heapLimit;
    }

    public long directUsed() {
        return directUsed;
    }

    public long directLimit() {
        return directLimit;
    }

    /** Past the heap limit: holders shrink. */
    public boolean over() {
        return heapHeld.get() > heapLimit;
    }

    /** A holder dropped something (a segment, a GOP) because the budget was over. */
    public void shrunk() {
        shrinks.increment();
    }

    /** How often holders shrank for the budget, since the node started. */
    public long shrinks() {
        return shrinks.sum();
    }

    /** A new stream has room: under both publish marks, or under both resume marks once it was full. */
    public boolean admitsPublisher() {
        double mark = full ? RESUME_MARK : PUBLISH_MARK;
        boolean room = heapHeld.get() < heapLimit * mark && directUsed < directLimit * mark;
        full = !room;
        return room;
    }

    /** For logs and refusals: "frame bytes 470 of 512 MiB, direct memory 30 of 256 MiB". */
    public String describe() {
        return "frame bytes " + mebibytes(heapHeld.get()) + " of " + mebibytes(heapLimit) + " MiB, direct memory "
                + mebibytes(directUsed) + " of " + mebibytes(directLimit) + " MiB";
    }

    private static String mebibytes(long bytes) {
        return bytes == Long.MAX_VALUE ? "unlimited" : Long.toString(Math.round(bytes / 1048576.0));
    }
}
