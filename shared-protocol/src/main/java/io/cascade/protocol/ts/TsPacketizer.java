package io.cascade.protocol.ts;

import java.util.Arrays;

/**
 * Cuts PSI sections and PES packets into 188-byte transport packets (ISO/IEC 13818-1 2.4.3) and appends them to a bounded
 * buffer.
 *
 * <p>Every segment gets a fresh packetizer, so continuity counters start at 0 in each segment whatever came before: that is
 * what lets two nodes that joined a stream at different times write identical segments. The first packet of each PID
 * therefore carries discontinuity_indicator = 1, the legal way (2.4.3.5) to tell a client that reads the segments one after
 * the other that the counter restarts on purpose.
 *
 * <p>A live transport stream ({@link TsStreamMuxer}) is the exception: its packets are cut once per frame and each
 * receiver's counters are set as they are sent ({@link TsContinuity}), so there it marks no restart.
 */
final class TsPacketizer {
    static final int PACKET_SIZE = 188;
    static final int SYNC_BYTE = 0x47;
    private static final int HEADER_SIZE = 4;
    private static final int BODY_SIZE = PACKET_SIZE - HEADER_SIZE;
    /** adaptation_field_length byte + flags byte. */
    private static final int ADAPTATION_BASE = 2;
    private static final int PCR_SIZE = 6;
    /** A segment has at most this many PIDs (PAT, PMT, video, audio). */
    private static final int MAX_PIDS = 4;

    private final int maxBytes;
    private final boolean markRestart;
    private byte[] buf;
    private int size;
    private final int[] pids = new int[MAX_PIDS];
    private final int[] counters = new int[MAX_PIDS];
    private int pidCount;

    /**
     * @param initialCapacity a guess at the segment size, to avoid regrowing the buffer
     * @param maxBytes        the segment may not grow past this: {@link #writePes} throws IllegalArgumentException instead
     */
    TsPacketizer(int initialCapacity, int maxBytes) {
        this(initialCapacity, maxBytes, true);
    }

    /**
     * @param markRestart whether the first packet of each PID says that its counter restarts (discontinuity_indicator):
     *                    yes for a segment, no for a frame of a live stream whose counters are rewritten on the way out
     */
    TsPacketizer(int initialCapacity, int maxBytes, boolean markRestart) {
        this.maxBytes = maxBytes;
        this.markRestart = markRestart;
        int packets = Math.max(1, Math.min(initialCapacity, maxBytes) / PACKET_SIZE);
        this.buf = new byte[packets * PACKET_SIZE];
    }

    /**
     * Writes one PSI section in a single packet: pointer_field 0, the section, then 0xFF stuffing bytes up to the end of
     * the packet (2.4.4.1 allows stuffing after the last section; the adaptation field is not used for PSI stuffing).
     */
    void writeSection(int pid, byte[] section) {
        boolean discontinuity = firstPacketOf(pid);
        int adaptation = discontinuity ? ADAPTATION_BASE : 0;
        if (1 + section.length > BODY_SIZE - adaptation) {
            throw new IllegalStateException("PSI section of " + section.length + " bytes does not fit one packet");
        }
        int p = startPacket(pid, true, adaptation);
        if (discontinuity) {
            buf[p++] = (byte) (ADAPTATION_BASE - 1);
            buf[p++] = (byte) 0x80; // discontinuity_indicator
        }
        buf[p++] = 0; // pointer_field: the section starts right after it
        System.arraycopy(section, 0, buf, p, section.length);
        p += section.length;
        Arrays.fill(buf, p, size, (byte) 0xFF);
    }

    /**
     * Writes one whole PES packet on pid: header then payload, passed apart so that a large access unit is not copied once
     * more. The first packet has payload_unit_start_indicator set and, when asked, a PCR and random_access_indicator in its
     * adaptation field. The last packet is padded with adaptation field stuffing, because a PES payload cannot carry
     * stuffing bytes.
     *
     * @param pcr27 the PCR in 27 MHz units (base * 300 + extension), or -1 for none
     */
    void writePes(int pid, byte[] header, byte[] payload, long pcr27, boolean randomAccess) {
        long total = (long) header.length + payload.length;
        long pos = 0;
        boolean first = true;
        while (pos < total) {
            boolean discontinuity = firstPacketOf(pid);
            boolean pcrHere = first && pcr27 >= 0;
            boolean rai = first && randomAccess;
            int needed = discontinuity || pcrHere || rai ? ADAPTATION_BASE + (pcrHere ? PCR_SIZE : 0) : 0;
            int chunk = (int) Math.min(total - pos, BODY_SIZE - needed);
            // Whatever the payload does not fill becomes adaptation field: its flags and PCR, then stuffing.
            int adaptation = BODY_SIZE - chunk;
            int p = startPacket(pid, first, adaptation);
            if (adaptation > 0) {
                buf[p++] = (byte) (adaptation - 1);
                if (adaptation > 1) { // a 1-byte adaptation field is only its length 0: no flags byte
                    buf[p++] = (byte) ((discontinuity ? 0x80 : 0) | (rai ? 0x40 : 0) | (pcrHere ? 0x10 : 0));
                    if (pcrHere) {
                        p = writePcr(p, pcr27);
                    }
                    int stuffingEnd = size - chunk;
                    Arrays.fill(buf, p, stuffingEnd, (byte) 0xFF);
                    p = stuffingEnd;
                }
            }
            copy(header, payload, pos, p, chunk);
            pos += chunk;
            first = false;
        }
    }

    /** Copies length bytes starting at position pos of the concatenation head + tail to buf[to]. */
    private void copy(byte[] head, byte[] tail, long pos, int to, int length) {
        int fromHead = (int) Math.max(0, Math.min(length, head.length - pos));
        if (fromHead > 0) {
            System.arraycopy(head, (int) pos, buf, to, fromHead);
        }
        if (length > fromHead) {
            System.arraycopy(tail, (int) (pos + fromHead - head.length), buf, to + fromHead, length - fromHead);
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /**
     * Appends a packet header (sync byte, PUSI, PID, adaptation_field_control, continuity_counter) and reserves the rest of
     * the packet; returns the position after the header. Every packet written here has a payload, so the counter always
     * advances (2.4.3.3).
     */
    private int startPacket(int pid, boolean unitStart, int adaptationLength) {
        ensureRoom();
        int slot = slot(pid);
        int cc = counters[slot];
        counters[slot] = (cc + 1) & 0x0F;
        int p = size;
        buf[p] = (byte) SYNC_BYTE;
        buf[p + 1] = (byte) ((unitStart ? 0x40 : 0) | pid >> 8);
        buf[p + 2] = (byte) pid;
        buf[p + 3] = (byte) ((adaptationLength > 0 ? 0x30 : 0x10) | cc);
        size += PACKET_SIZE;
        return p + HEADER_SIZE;
    }

    /** program_clock_reference_base (33 bits), 6 reserved bits, program_clock_reference_extension (9 bits). */
    private int writePcr(int p, long pcr27) {
        long base = pcr27 / 300;
        int ext = (int) (pcr27 % 300);
        buf[p] = (byte) (base >>> 25);
        buf[p + 1] = (byte) (base >>> 17);
        buf[p + 2] = (byte) (base >>> 9);
        buf[p + 3] = (byte) (base >>> 1);
        buf[p + 4] = (byte) ((base & 1) << 7 | 0x7E | ext >> 8);
        buf[p + 5] = (byte) ext;
        return p + PCR_SIZE;
    }

    /** True for the packet that must carry the discontinuity_indicator: the first one of pid, when restarts are marked. */
    private boolean firstPacketOf(int pid) {
        if (!markRestart) {
            return false;
        }
        for (int i = 0; i < pidCount; i++) {
            if (pids[i] == pid) {
                return false;
            }
        }
        return true;
    }

    private int slot(int pid) {
        for (int i = 0; i < pidCount; i++) {
            if (pids[i] == pid) {
                return i;
            }
        }
        if (pidCount == MAX_PIDS) {
            throw new IllegalStateException("more than " + MAX_PIDS + " PIDs in a segment");
        }
        pids[pidCount] = pid;
        counters[pidCount] = 0;
        return pidCount++;
    }

    private void ensureRoom() {
        if (size + PACKET_SIZE > maxBytes) {
            throw new IllegalArgumentException("segment would exceed " + maxBytes + " bytes");
        }
        if (size + PACKET_SIZE > buf.length) {
            long grown = Math.min((long) buf.length * 2, maxBytes / PACKET_SIZE * (long) PACKET_SIZE);
            buf = Arrays.copyOf(buf, (int) Math.max(grown, size + PACKET_SIZE));
        }
    }
}
