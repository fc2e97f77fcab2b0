package io.cascade.protocol.rtp;

/**
 * What a receiver counts of one source to fill the report block of its receiver reports (RFC 3550 6.4.1 and appendix
 * A): the extended highest sequence number (with the count of 16-bit wraps), packets expected and received, the fraction
 * lost since the previous report and the interarrival jitter. Feed it every packet as it arrives from the network,
 * before any reordering: late and duplicate packets count as received, as the RFC's definition of loss wants.
 */
public final class ReceptionStats {
    private final long ssrc;
    private boolean started;
    private int baseSequence;
    private int maxSequence;
    private long cycles;
    private long received;
    private long expectedAtLastReport;
    private long receivedAtLastReport;
    /** Jitter estimate in timestamp units, times 16 (the RFC's fixed-point form). */
    private long jitter16;
    private long lastTransit;
    private boolean haveTransit;

    public ReceptionStats(long ssrc) {
        this.ssrc = ssrc;
    }

    /**
     * Records one packet.
     *
     * @param arrival the arrival time in the stream's RTP clock units (any origin, e.g. nanoTime scaled to the clock)
     */
    public void received(int sequence, long rtpTimestamp, long arrival) {
        received++;
        if (!started) {
            started = true;
            baseSequence = sequence;
            maxSequence = sequence;
        } else {
            int delta = (sequence - maxSequence) & 0xFFFF;
            if (delta != 0 && delta < 0x8000) {
                if (sequence < maxSequence) {
                    cycles++; // wrapped forward past 65535
                }
                maxSequence = sequence;
            }
        }
        long transit = arrival - rtpTimestamp;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            jitter16 += d - ((jitter16 + 8) >> 4);
        }
        lastTransit = transit;
        haveTransit = true;
    }

    /** The highest sequence number seen, extended with the wrap count into 32 bits. */
    public long extendedHighestSequence() {
        return (cycles << 16 | maxSequence) & 0xFFFFFFFFL;
    }

    public long expected() {
        return started ? (cycles << 16) + maxSequence - baseSequence + 1 : 0;
    }

    public long received() {
        return received;
    }

    /** Packets lost since the start (negative when duplicates outnumber losses), clamped to the 24-bit field. */
    public int cumulativeLost() {
        long lost = expected() - received;
        return (int) Math.max(-(1 << 23), Math.min((1 << 23) - 1, lost));
    }

    /** Interarrival jitter in timestamp units. */
    public long jitter() {
        return jitter16 >> 4;
    }

    /**
     * The report block for the next receiver report, and the start of the next reporting interval.
     *
     * @param lastSenderReport  middle 32 bits of the NTP timestamp of the last SR from this source, 0 if none came
     * @param delaySinceLastSr  time since that SR arrived, in 1/65536 s, 0 if none came
     */
    public RtcpPacket.ReportBlock report(long lastSenderReport, long delaySinceLastSr) {
        long expected = expected();
        long expectedInterval = expected - expectedAtLastReport;
        long receivedInterval = received - receivedAtLastReport;
        expectedAtLastReport = expected;
        receivedAtLastReport = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
        return new RtcpPacket.ReportBlock(ssrc, fraction, cumulativeLost(), extendedHighestSequence(), jitter(),
                lastSenderReport & 0xFFFFFFFFL, delaySinceLastSr & 0xFFFFFFFFL);
    }

    /** The middle 32 bits of a 64-bit NTP timestamp: how reports name the sender report they answer. */
    public static long middle32(long ntpTimestamp) {
        return (ntpTimestamp >>> 16) & 0xFFFFFFFFL;
    }
}
