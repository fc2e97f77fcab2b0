package io.cascade.protocol.rtp.payload;

import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.util.function.Consumer;

/**
 * Rebuilds access units from the RTP packets of one stream, fed in sequence-number order (straight from an interleaved
 * TCP connection, or through a {@code ReorderWindow} for UDP).
 *
 * <p>A gap in the sequence numbers means packets were lost: the access unit they may have belonged to is dropped as
 * damaged (a unit with a hole is worse than none to a decoder) and the next unit handed out carries
 * {@link AccessUnit#discontinuity()}, as does the first unit of all (the stream may have been joined in the middle of a
 * unit whose first packets carried only parameter sets). A packet that breaks its payload format throws {@link RtpException} and counts as
 * lost too: everything completed before it has already been handed to the consumer, so the caller only logs and goes on.
 *
 * <p>Not thread-safe: one depacketizer per stream, used by one thread.
 */
public abstract class Depacketizer {
    /** Largest access unit rebuilt: a 4K intra picture at a high bit rate stays well under it. */
    public static final int MAX_ACCESS_UNIT_LENGTH = 8 << 20;
    /** Most NAL units in one access unit, as for RTMP ingest: a few slices and parameter sets in practice. */
    public static final int MAX_NAL_UNITS_PER_ACCESS_UNIT = 256;

    private int lastSequence = -1;
    /** Set for the first unit too: the stream may have been joined in the middle of a unit. */
    private boolean discontinuity = true;
    private long accessUnits;
    private long damaged;
    private long gaps;

    /** Feeds the next packet; completed access units go to {@code out} before this returns or throws. */
    public final void push(RtpPacket packet, Consumer<AccessUnit> out) throws RtpException {
        int seq = packet.sequence();
        if (lastSequence >= 0 && seq != ((lastSequence + 1) & 0xFFFF)) {
            gaps++;
            discontinuity = true;
            lost();
        }
        lastSequence = seq;
        accept(packet, out);
    }

    /** End of stream: drops what is partial (a unit whose end was not seen). */
    public abstract void flush(Consumer<AccessUnit> out);

    /** Packets went missing before the one about to be accepted: abandon any partial unit. */
    protected abstract void lost();

    protected abstract void accept(RtpPacket packet, Consumer<AccessUnit> out) throws RtpException;

    protected final void emit(Consumer<AccessUnit> out, long timestamp, byte[] data, boolean keyframe) {
        accessUnits++;
        boolean d = discontinuity;
        discontinuity = false;
        out.accept(new AccessUnit(timestamp, data, keyframe, d));
    }

    /** An access unit was dropped: count it and flag the next one handed out. */
    protected final void dropDamaged() {
        damaged++;
        discontinuity = true;
    }

    /** Access units handed out. */
    public final long accessUnits() {
        return accessUnits;
    }

    /** Access units dropped because part of them was lost or malformed. */
    public final long damaged() {
        return damaged;
    }

    /** Breaks in the sequence numbers seen (each may span several packets). */
    public final long gaps() {
        return gaps;
    }
}
