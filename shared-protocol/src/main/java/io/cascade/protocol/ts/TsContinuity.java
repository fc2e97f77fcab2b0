package io.cascade.protocol.ts;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One receiver's side of a live transport stream made once for many ({@link TsStreamMuxer}): the continuity counters of
 * the packets it is sent, and when it is sent the PAT and PMT again.
 *
 * <p>Every receiver joins at a frame of its own and may skip frames when it cannot keep up, so a counter set when the
 * frame was muxed would jump for all but one of them, and a receiver would take each jump for lost packets. Here each
 * PID's counter rises by one for every packet with a payload that this receiver is actually sent (2.4.3.3). Not
 * thread-safe: one receiver's packets, in order.
 */
public final class TsContinuity {
    /** Longest wait for the PAT and PMT again: what DVB asks of a transport stream (and ffmpeg's muxer does). */
    public static final long PSI_INTERVAL_MS = 100;
    private static final int MAX_PID = 0x1FFF;

    private int[] pids = new int[4];
    private int[] counters = new int[4];
    private int count;
    private boolean psiSent;
    private long lastPsiMillis;

    /**
     * Whether this receiver gets the PAT and PMT that lead the frame ({@link TsStreamMuxer#PSI_PACKETS} packets): with
     * its first frame, with every keyframe (where a receiver that lost them starts decoding), and at least every
     * {@value #PSI_INTERVAL_MS} ms; also when the timeline goes back. Notes it when so.
     */
    public boolean psiDue(long timestampMillis, boolean keyframe) {
        boolean due = !psiSent || keyframe || timestampMillis - lastPsiMillis >= PSI_INTERVAL_MS
                || timestampMillis < lastPsiMillis;
        if (due) {
            psiSent = true;
            lastPsiMillis = timestampMillis;
        }
        return due;
    }

    /**
     * Sets the continuity_counter of the 188-byte packet at {@code offset} (absolute) in {@code packets} to follow
     * the last one this receiver got on its PID: one more when the packet has a payload, the same when it has only an
     * adaptation field.
     *
     * @throws IllegalArgumentException when there is no whole packet there, or no sync byte
     */
    public void stamp(ByteBuffer packets, int offset) {
        if (offset < 0 || packets.limit() - offset < TsPacketizer.PACKET_SIZE) {
            throw new IllegalArgumentException("no whole packet at " + offset);
        }
        if ((packets.get(offset) & 0xFF) != TsPacketizer.SYNC_BYTE) {
            throw new IllegalArgumentException("no sync byte at " + offset);
        }
        int pid = (packets.get(offset + 1) & 0x1F) << 8 | packets.get(offset + 2) & 0xFF;
        int flags = packets.get(offset + 3) & 0xFF;
        boolean payload = (flags & 0x10) != 0;
        int slot = slot(pid);
        int cc = counters[slot];
        if (payload) {
            cc = (cc + 1) & 0x0F;
            counters[slot] = cc;
        }
        packets.put(offset + 3, (byte) (flags & 0xF0 | cc));
    }

    /** The PID's slot; a new PID starts so that its first packet with a payload gets 0. */
    private int slot(int pid) {
        for (int i = 0; i < count; i++) {
            if (pids[i] == pid) {
                return i;
            }
        }
        if (count == pids.length) { // a muxed stream has four PIDs; more only from a stranger's packets
            int grown = Math.min(pids.length * 2, MAX_PID + 1);
            pids = Arrays.copyOf(pids, grown);
            counters = Arrays.copyOf(counters, grown);
        }
        pids[count] = pid;
        counters[count] = 0x0F;
        return count++;
    }
}
