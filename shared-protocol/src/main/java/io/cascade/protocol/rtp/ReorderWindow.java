package io.cascade.protocol.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts packets that arrive over UDP back into sequence-number order before they reach a depacketizer. Packets are keyed
 * by their 16-bit RTP sequence number (wrapping from 65535 to 0) and released as soon as every earlier one has been
 * released. A missing packet is waited for until {@code maxWait} later packets are held behind it; then it is counted
 * lost and the ones behind it go on. A packet that comes after its place was released or given up is counted late and
 * dropped; one that repeats a packet still held is counted as a duplicate and dropped.
 *
 * <p>A jump forward of more than {@link #MAX_DROPOUT} or a run of {@code capacity} late packets in a row is taken as the
 * sender restarting its numbering: what is held is released and the window starts again at the new number (counted in
 * {@link #resyncs()}, not as losses). The window never waits on the clock: call {@link #flush()} when the stream pauses
 * or ends to release what is held. Not thread-safe: one window per stream, used by one thread.
 */
public final class ReorderWindow<T> {
    /** Held packets by default: a burst of reordering on a real network spans a few packets, 64 is generous. */
    public static final int DEFAULT_CAPACITY = 64;
    /** Later packets held behind a gap, by default, before the missing one is given up. */
    public static final int DEFAULT_MAX_WAIT = 32;
    /** A forward jump larger than this is a restart of the numbering, not a loss (the bound RFC 3550 A.1 suggests). */
    public static final int MAX_DROPOUT = 3000;

    private final Object[] slots;
    private final int maxWait;
    private boolean started;
    /** Sequence number of the next packet to release, and the slot it goes in. */
    private int expected;
    private int head;
    private int held;
    private int lateInARow;
    private long released;
    private long lost;
    private long late;
    private long duplicates;
    private long resyncs;

    public ReorderWindow() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_WAIT);
    }

    /**
     * @param capacity most packets held at once (1..32768); 1 turns reordering off: every gap is given up at once
     * @param maxWait  packets held behind a gap before it is given up (1..capacity)
     */
    public ReorderWindow(int capacity, int maxWait) {
        if (capacity < 1 || capacity > 0x8000 || maxWait < 1 || maxWait > capacity) {
            throw new IllegalArgumentException("capacity " + capacity + ", maxWait " + maxWait);
        }
        this.slots = new Object[capacity];
        this.maxWait = maxWait;
    }

    /** Offers the packet numbered {@code sequence} (0..65535); returns the packets now released, in order. */
    public List<T> push(int sequence, T packet) {
        if (sequence < 0 || sequence > 0xFFFF || packet == null) {
            throw new IllegalArgumentException("sequence " + sequence);
        }
        List<T> out = new ArrayList<>(2);
        if (!started) {
            started = true;
            expected = sequence;
        }
        int ahead = (sequence - expected) & 0xFFFF;
        if (ahead >= 0x8000) {
            if (++lateInARow < slots.length) {
                late++;
                return out;
            }
            restart(sequence, out);
            ahead = 0;
        } else if (ahead > MAX_DROPOUT) {
            restart(sequence, out);
            ahead = 0;
        }
        lateInARow = 0;
        while (ahead >= slots.length) { // beyond the window: give up the oldest gaps until it fits
            skip(out);
            ahead--;
        }
        int slot = (head + ahead) % slots.length;
        if (slots[slot] != null) {
            duplicates++;
            return out;
        }
        slots[slot] = packet;
        held++;
        releaseInOrder(out);
        while (held >= maxWait) {
            skip(out);
            releaseInOrder(out);
        }
        return out;
    }

    /** Releases everything held, in order, counting the gaps between held packets as lost. */
    public List<T> flush() {
        List<T> out = new ArrayList<>(held);
        while (held > 0) {
            skip(out);
        }
        return out;
    }

    private void restart(int sequence, List<T> out) {
        out.addAll(flush());
        expected = sequence;
        lateInARow = 0;
        resyncs++;
    }

    /** Moves past the head slot: releases it when it holds a packet, counts it lost otherwise. */
    @SuppressWarnings("unchecked")
    private void skip(List<T> out) {
        Object p = slots[head];
        if (p != null) {
            slots[head] = null;
            held--;
            released++;
            out.add((T) p);
        } else {
            lost++;
        }
        head = (head + 1) % slots.length;
        expected = (expected + 1) & 0xFFFF;
    }

    private void releaseInOrder(List<T> out) {
        while (slots[head] != null) {
            skip(out);
        }
    }

    /** Sequence number the window waits for next (meaningful once a packet was pushed). */
    public int expected() {
        return expected;
    }

    /** Packets held now, waiting for an earlier one. */
    public int held() {
        return held;
    }

    public long released() {
        return released;
    }

    /** Sequence numbers given up: never arrived before the window moved past them. */
    public long lost() {
        return lost;
    }

    /** Packets that arrived after their place was released or given up (late ones and repeats of released ones). */
    public long late() {
        return late;
    }

    /** Repeats of a packet still held. */
    public long duplicates() {
        return duplicates;
    }

    /** Times the sender's numbering jumped and the window started again. */
    public long resyncs() {
        return resyncs;
    }
}
