package io.cascade.protocol.ts;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an MPEG transport stream (ISO/IEC 13818-1) from a byte stream cut anywhere: finds and keeps packet sync, follows
 * the PAT to one program and its PMT, and hands out the PES packets of the elementary streams its {@link Listener} selects,
 * header first and payload in pieces as the packets arrive. It decodes nothing inside the payloads.
 *
 * <p>The input is taken as hostile. Nothing thrown by the parsing leaves {@link #feed}, and memory is bounded by the
 * constants below whatever the bytes: the demuxer keeps a few packets for sync, one section per PSI PID and one PES header
 * per selected stream, never a PES payload.
 *
 * <p>Not thread-safe: one demuxer per input, fed from one thread. Every listener call happens inside feed, flush or
 * discontinuity, on the caller's thread.
 */
public final class TsDemuxer {
    public static final int PACKET_SIZE = 188;
    public static final int SYNC_BYTE = 0x47;
    public static final int PAT_PID = 0x0000;
    /** Null packets: stuffing that keeps a constant bitrate, never carries anything. */
    public static final int NULL_PID = 0x1FFF;
    /** PIDs 0x0000..0x000F are reserved for tables (2.4.3.3): a PMT may not put a stream or a PMT there. */
    private static final int FIRST_ASSIGNABLE_PID = 0x0010;
    private static final int PID_COUNT = 0x2000;

    /**
     * After sync is lost (and at the start), a 0x47 is taken as a packet start only when the sync bytes of this many
     * following packets are 0x47 too. A single 0x47 is one byte in 256 of random data; three in a row 188 bytes apart are
     * one in 16 million, and the confirmation needs only 3 packets (half a 1316-byte datagram) of look-ahead.
     */
    public static final int SYNC_CONFIRMATIONS = 2;
    /** section_length of a PAT or PMT may not exceed 1021 (2.4.4.4, 2.4.4.9): a section is at most 1024 bytes. */
    public static final int MAX_SECTION_LENGTH = 1021;
    /**
     * Streams of the selected program that are looked at. A 1021-byte PMT can list about 200 and a PID field allows 8191,
     * but a real program has a handful (video, a few audio languages, subtitles, data); the rest are ignored and counted.
     */
    public static final int MAX_PROGRAM_STREAMS = 64;
    /**
     * Largest PES payload delivered: an access unit that never ends (an unbounded video PES whose next unit start never
     * comes) is cut here. 8 MiB holds an intra frame of 4K video at a high bitrate several times over.
     */
    public static final int MAX_PES_BYTES = 8 << 20;
    /** PES header: 6 bytes of start code, stream_id and length, 3 bytes of flags, then up to 255 bytes of header data. */
    private static final int MAX_PES_HEADER = 9 + 255;
    private static final int SECTION_HEADER = 3;
    /** table_id .. last_section_number (8 bytes) + CRC_32 (4): the smallest PAT or PMT section. */
    private static final int MIN_SECTION = 12;
    private static final int TABLE_PAT = 0x00;
    private static final int TABLE_PMT = 0x02;

    /** An elementary stream listed in the PMT: its PID and stream_type (Table 2-34). */
    public record Stream(int pid, int streamType) {
    }

    /**
     * The header of a PES packet.
     *
     * @param streamId        stream_id (0xE0..0xEF video, 0xC0..0xDF audio, 0xBD private...)
     * @param pesPacketLength PES_packet_length: 0 is "unbounded", the PES ends at the next unit start on its PID
     * @param pts             the 33-bit PTS, or -1 when the header has none
     * @param dts             the 33-bit DTS, or -1 when the header has none (it then equals the PTS)
     * @param randomAccess    random_access_indicator of the packet the PES starts in
     * @param discontinuity   discontinuity_indicator of the packet the PES starts in
     */
    public record PesHeader(int streamId, int pesPacketLength, long pts, long dts, boolean dataAlignment,
                            boolean randomAccess, boolean discontinuity) {
        public boolean hasPts() {
            return pts >= 0;
        }
    }

    /** What the demuxer found, called on the feeding thread. A listener must not call back into the demuxer. */
    public interface Listener {
        /**
         * The PMT of the selected program is new or has changed. Returns the PIDs whose PES packets are wanted, among those
         * of streams (in PMT order, at most {@value #MAX_PROGRAM_STREAMS}). A PID kept from the previous PMT keeps its
         * state: a PES in progress goes on.
         */
        Set<Integer> programMap(int programNumber, List<Stream> streams);

        /** A PES packet began on pid; its header is read. pesData and then pesEnd or lost follow. */
        void pesStart(int pid, PesHeader header);

        /** The next payload bytes of the PES on pid. The array is the demuxer's or the caller's: read it during the call only. */
        void pesData(int pid, byte[] data, int offset, int length);

        /** The PES on pid ended and everything of it was delivered. */
        void pesEnd(int pid);

        /**
         * Data on pid was lost: what was delivered of the PES in progress, if any, is incomplete, and the next delivery is a
         * new pesStart. badPes tells why: true when the PES itself was wrong (its header, its length, over
         * {@link #MAX_PES_BYTES}), which the demuxer counts in {@link Counters#badPes()}; false when packets went missing
         * (continuity error, a damaged or scrambled packet), counted as such, so the listener may count what it drops.
         */
        void lost(int pid, boolean badPes, String why);

        /** Something that is not part of a selected stream's PES was dropped as damaged: a packet, a section, sync. */
        void damaged(String detail);

        /** Something is not demultiplexed: another program, or a stream over the limit. Once per PID. */
        void unsupported(String detail);
    }

    /**
     * Counters since construction.
     *
     * @param bytes            bytes fed
     * @param packets          188-byte packets read in sync (transport errors, null and ignored packets included)
     * @param syncLosses       times the sync byte was not where the next packet should start
     * @param skippedBytes     bytes dropped while looking for sync (at the start, or after a sync loss)
     * @param transportErrors  packets dropped because transport_error_indicator was set
     * @param malformedPackets packets dropped because their header cannot be right (adaptation field too long, reserved
     *                         adaptation_field_control)
     * @param continuityErrors continuity_counter jumps on a PID that is read
     * @param duplicatePackets packets sent twice (same continuity_counter), the copy dropped
     * @param scrambledPackets packets of a read PID dropped because they are scrambled
     * @param ignoredPackets   packets of PIDs that are not read (null packets, other programs, unselected streams)
     * @param badSections      PSI sections dropped (CRC, too long, cut short, inconsistent)
     * @param pesPackets       PES packets that started on selected PIDs
     * @param badPes           PES packets dropped because their header is wrong, they ended short of their
     *                         PES_packet_length or exceeded {@link #MAX_PES_BYTES}, or had bytes beyond their length
     * @param ignoredStreams   streams of the selected program over {@link #MAX_PROGRAM_STREAMS}, and programs not
     *                         selected (each counted once)
     */
    public record Counters(long bytes, long packets, long syncLosses, long skippedBytes, long transportErrors,
                           long malformedPackets, long continuityErrors, long duplicatePackets, long scrambledPackets,
                           long ignoredPackets, long badSections, long pesPackets, long badPes, long ignoredStreams) {
    }

    private final Listener listener;
    private final int wantedProgram;

    // Sync: bytes of an unfinished packet, or the look-ahead while confirming sync.
    private final byte[] carry = new byte[PACKET_SIZE * (SYNC_CONFIRMATIONS + 1)];
    private int carryLength;
    private boolean synced;

    // PSI
    private final SectionState patState = new SectionState(PAT_PID);
    private SectionState pmtState;
    /** The program demultiplexed, -1 before the PAT names one. */
    private int program = -1;
    private List<Stream> streams = List.of();

    // Selected elementary streams: slotOfPid[pid] - 1 indexes slots.
    private final byte[] slotOfPid = new byte[PID_COUNT];
    private final EsState[] slots = new EsState[MAX_PROGRAM_STREAMS];
    /** PIDs (programs: their PMT PIDs) already reported as not demultiplexed. */
    private final BitSet reported = new BitSet(PID_COUNT);

    private long bytes;
    private long packets;
    private long syncLosses;
    private long skippedBytes;
    private long transportErrors;
    private long malformedPackets;
    private long continuityErrors;
    private long duplicatePackets;
    private long scrambledPackets;
    private long ignoredPackets;
    private long badSections;
    private long pesPackets;
    private long badPes;
    private long ignoredStreams;

    /**
     * @param programNumber the program_number to demultiplex, or 0 for the first program of the PAT
     */
    public TsDemuxer(Listener listener, int programNumber) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        if (programNumber < 0 || programNumber > 0xFFFF) {
            throw new IllegalArgumentException("program_number is 16 bits: " + programNumber);
        }
        this.listener = listener;
        this.wantedProgram = programNumber;
    }

    /** Packets lost (continuity gaps) plus sync losses so far: read per datagram, so it allocates nothing. */
    public long inputErrors() {
        return continuityErrors + syncLosses;
    }

    public Counters counters() {
        return new Counters(bytes, packets, syncLosses, skippedBytes, transportErrors, malformedPackets, continuityErrors,
                duplicatePackets, scrambledPackets, ignoredPackets, badSections, pesPackets, badPes, ignoredStreams);
    }

    /** The program being demultiplexed, or -1 while no PAT has named one. */
    public int programNumber() {
        return program;
    }

    /** The streams of the program's current PMT (empty before it arrives). */
    public List<Stream> streams() {
        return streams;
    }

    /** Reads the next bytes of the stream, cut anywhere. */
    public void feed(byte[] data, int offset, int length) {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", +" + length + ") of "
                    + (data == null ? "null" : data.length + " bytes"));
        }
        bytes += length;
        int p = offset;
        int end = offset + length;
        while (p < end) {
            if (synced && carryLength == 0) {
                while (end - p >= PACKET_SIZE && data[p] == SYNC_BYTE) {
                    packet(data, p);
                    p += PACKET_SIZE;
                }
                if (p == end) {
                    break;
                }
                if (data[p] != SYNC_BYTE) {
                    loseSync();
                }
            }
            int n = Math.min(end - p, carry.length - carryLength);
            System.arraycopy(data, p, carry, carryLength, n);
            carryLength += n;
            p += n;
            drainCarry(false);
        }
    }

    /**
     * The input ended (end of file, the connection closed): packets still waiting for sync confirmation are read with the
     * confirmation there is, each unbounded PES in progress ends, a bounded one cut short is lost, and a partial packet is
     * dropped. Feeding afterwards starts over as after {@link #discontinuity()}.
     */
    public void flush() {
        drainCarry(true);
        skippedBytes += carryLength;
        carryLength = 0;
        synced = false;
        for (EsState es : slots) {
            if (es != null) {
                es.endOfInput();
            }
        }
        resetPacketState();
    }

    /**
     * The stream does not continue from what came before (the source restarted, the caller skipped data): partial packets,
     * sections and PES packets are forgotten without a callback, sync is searched again and continuity counters start
     * over. The program, its PMT and the selected streams are kept.
     */
    public void discontinuity() {
        carryLength = 0;
        synced = false;
        resetPacketState();
    }

    private void resetPacketState() {
        patState.reset();
        if (pmtState != null) {
            pmtState.reset();
        }
        for (EsState es : slots) {
            if (es != null) {
                es.reset();
            }
        }
    }

    // ---- sync

    private void loseSync() {
        synced = false;
        syncLosses++;
        listener.damaged("lost packet sync after " + packets + " packets: looking for the next 0x47");
    }

    /** Reads the whole packets of carry in sync, or looks for sync in it; atEnd accepts the confirmation available. */
    private void drainCarry(boolean atEnd) {
        while (carryLength > 0) {
            if (synced) {
                while (carryLength >= PACKET_SIZE && carry[0] == SYNC_BYTE) {
                    packet(carry, 0);
                    consumeCarry(PACKET_SIZE);
                }
                if (carryLength == 0 || carry[0] == SYNC_BYTE) {
                    return; // empty, or the start of a packet: wait for the rest
                }
                loseSync();
            }
            int found = -1;
            int undecided = -1;
            for (int i = 0; i < carryLength && found < 0 && undecided < 0; i++) {
                if (carry[i] != SYNC_BYTE) {
                    continue;
                }
                boolean confirmed = true;
                boolean complete = true;
                for (int k = 1; k <= SYNC_CONFIRMATIONS; k++) {
                    int at = i + k * PACKET_SIZE;
                    if (at >= carryLength) {
                        complete = false;
                        break;
                    }
                    if (carry[at] != SYNC_BYTE) {
                        confirmed = false;
                        break;
                    }
                }
                if (confirmed && complete) {
                    found = i;
                } else if (confirmed) {
                    // The look-ahead is not all here yet. At the end of input a whole packet that matches is enough.
                    if (atEnd && i + PACKET_SIZE <= carryLength) {
                        found = i;
                    } else {
                        undecided = i;
                    }
                }
            }
            int start = found >= 0 ? found : undecided >= 0 ? undecided : carryLength;
            skippedBytes += start;
            consumeCarry(start);
            if (found < 0) {
                return; // wait for more bytes (or nothing to keep)
            }
            synced = true;
        }
    }

    private void consumeCarry(int n) {
        carryLength -= n;
        if (carryLength > 0 && n > 0) {
            System.arraycopy(carry, n, carry, 0, carryLength);
        }
    }

    // ---- packets

    private void packet(byte[] b, int o) {
        packets++;
        int b1 = b[o + 1] & 0xFF;
        int pid = (b1 & 0x1F) << 8 | (b[o + 2] & 0xFF);
        if ((b1 & 0x80) != 0) {
            transportErrors++;
            listener.damaged("transport_error_indicator set on a packet (PID field " + pid + ")");
            return;
        }
        PidState state = state(pid);
        if (state == null) {
            ignoredPackets++;
            return;
        }
        boolean unitStart = (b1 & 0x40) != 0;
        int b3 = b[o + 3] & 0xFF;
        int scrambling = b3 >> 6;
        int adaptationControl = (b3 >> 4) & 3;
        int cc = b3 & 0x0F;
        if (adaptationControl == 0) {
            malformedPackets++;
            state.lost("packet with the reserved adaptation_field_control 0 on PID " + pid);
            return;
        }
        int p = o + 4;
        int end = o + PACKET_SIZE;
        boolean discontinuity = false;
        boolean randomAccess = false;
        boolean hasPayload = (adaptationControl & 1) != 0;
        if ((adaptationControl & 2) != 0) {
            int length = b[p] & 0xFF;
            // with a payload, at least one payload byte must remain (2.4.3.5: 0..182); without, the field fills the packet
            int max = hasPayload ? PACKET_SIZE - 4 - 1 - 1 : PACKET_SIZE - 4 - 1;
            if (length > max) {
                malformedPackets++;
                state.lost("adaptation field of " + length + " bytes does not fit the packet on PID " + pid);
                return;
            }
            if (length > 0) {
                int flags = b[p + 1] & 0xFF;
                discontinuity = (flags & 0x80) != 0;
                randomAccess = (flags & 0x40) != 0;
            }
            p += 1 + length;
        }
        switch (state.continuity(cc, hasPayload, discontinuity)) {
            case DUPLICATE -> {
                duplicatePackets++;
                return;
            }
            case JUMP -> {
                continuityErrors++;
                state.lost("continuity_counter jumped on PID " + pid);
            }
            default -> {
                // in sequence
            }
        }
        if (!hasPayload || p >= end) {
            return;
        }
        if (scrambling != 0) {
            scrambledPackets++;
            state.scrambled(pid);
            return;
        }
        state.payload(b, p, end, unitStart, randomAccess, discontinuity);
    }

    private PidState state(int pid) {
        if (pid == PAT_PID) {
            return patState;
        }
        if (pmtState != null && pid == pmtState.pid) {
            return pmtState;
        }
        int slot = slotOfPid[pid];
        return slot == 0 ? null : slots[slot - 1];
    }

    private enum Continuity { IN_SEQUENCE, DUPLICATE, JUMP }

    /** What every read PID has: its continuity counter. */
    private abstract class PidState {
        final int pid;
        private int lastCc = -1;

        PidState(int pid) {
            this.pid = pid;
        }

        /**
         * 2.4.3.3: the counter goes up by one with each packet that has a payload, stays with packets that have none, may
         * repeat once for a duplicate, and may jump where discontinuity_indicator says so.
         */
        Continuity continuity(int cc, boolean hasPayload, boolean discontinuity) {
            if (!hasPayload) {
                if (discontinuity) {
                    lastCc = -1; // the next packet with a payload may start the counter anywhere
                }
                return Continuity.IN_SEQUENCE; // not counted; some muxers count these anyway, so not checked either
            }
            int last = lastCc;
            lastCc = cc;
            if (last < 0 || discontinuity || cc == ((last + 1) & 0x0F)) {
                return Continuity.IN_SEQUENCE;
            }
            return cc == last ? Continuity.DUPLICATE : Continuity.JUMP;
        }

        void reset() {
            lastCc = -1;
        }

        abstract void lost(String why);

        abstract void scrambled(int pid);

        abstract void payload(byte[] b, int p, int end, boolean unitStart, boolean randomAccess, boolean discontinuity);
    }

    // ---- PSI

    /** Assembles the sections of one PSI PID (PAT or PMT). */
    private final class SectionState extends PidState {
        private final byte[] section = new byte[SECTION_HEADER + MAX_SECTION_LENGTH];
        private int have;
        /** Total bytes of the section being assembled, -1 before its header is in. */
        private int need = -1;
        private boolean active;
        /** CRC_32 of the last section acted on, to skip the repetitions (a PAT and PMT come every 100 ms or so). */
        private long lastCrc = -1;

        SectionState(int pid) {
            super(pid);
        }

        @Override
        void reset() {
            super.reset();
            active = false;
        }

        @Override
        void lost(String why) {
            if (active) {
                badSections++;
                listener.damaged("PSI section on PID " + pid + " dropped: " + why);
            } else {
                listener.damaged(why);
            }
            active = false;
        }

        @Override
        void scrambled(int pid) {
            lost("scrambled PSI packet");
        }

        @Override
        void payload(byte[] b, int p, int end, boolean unitStart, boolean randomAccess, boolean discontinuity) {
            if (unitStart) {
                int pointer = b[p++] & 0xFF;
                if (pointer > end - p) {
                    badSections++;
                    listener.damaged("pointer_field " + pointer + " beyond the packet on PID " + pid);
                    active = false;
                    return;
                }
                if (active) {
                    append(b, p, p + pointer);
                    if (active) {
                        badSections++;
                        listener.damaged("PSI section on PID " + pid + " cut short by the next one");
                        active = false;
                    }
                }
                p += pointer;
            } else if (active) {
                p = append(b, p, end);
            } else {
                return; // the rest of a section we did not see start
            }
            // New sections start until the packet ends or stuffing (table_id 0xFF) fills the rest.
            while (!active && p < end && (b[p] & 0xFF) != 0xFF) {
                active = true;
                have = 0;
                need = -1;
                p = append(b, p, end);
            }
        }

        /** Adds bytes to the section; completes it when whole. Returns where its bytes stop. */
        private int append(byte[] b, int p, int end) {
            while (active && p < end) {
                int target = need < 0 ? SECTION_HEADER : need;
                int n = Math.min(end - p, target - have);
                System.arraycopy(b, p, section, have, n);
                have += n;
                p += n;
                if (have < target) {
                    break;
                }
                if (need < 0) {
                    int length = (section[1] & 0x0F) << 8 | (section[2] & 0xFF);
                    if (length > MAX_SECTION_LENGTH) {
                        badSections++;
                        listener.damaged("PSI section_length " + length + " on PID " + pid + " exceeds "
                                + MAX_SECTION_LENGTH);
                        active = false;
                        return end;
                    }
                    need = SECTION_HEADER + length;
                } else {
                    active = false;
                    complete();
                }
            }
            return p;
        }

        private void complete() {
            int n = need;
            if ((section[1] & 0x80) == 0 || n < MIN_SECTION) {
                if ((section[0] & 0xFF) == TABLE_PAT || (section[0] & 0xFF) == TABLE_PMT) {
                    badSections++;
                    listener.damaged("PSI section on PID " + pid + " without the long syntax or too short");
                }
                return; // other tables without the long syntax are not ours to check
            }
            if (Crc32Mpeg2.compute(section, 0, n) != 0) {
                badSections++;
                listener.damaged("PSI section on PID " + pid + " fails its CRC_32");
                return;
            }
            if ((section[5] & 1) == 0) {
                return; // current_next_indicator 0: a table that is not valid yet
            }
            int tableId = section[0] & 0xFF;
            long crc = (section[n - 4] & 0xFFL) << 24 | (section[n - 3] & 0xFF) << 16 | (section[n - 2] & 0xFF) << 8
                    | (section[n - 1] & 0xFF);
            if (this == patState && tableId == TABLE_PAT) {
                if (crc != lastCrc) {
                    lastCrc = crc;
                    pat(section, n);
                }
            } else if (this == pmtState && tableId == TABLE_PMT) {
                int programNumber = (section[3] & 0xFF) << 8 | (section[4] & 0xFF);
                if (programNumber == program && crc != lastCrc) {
                    lastCrc = crc;
                    pmt(section, n);
                }
            }
        }
    }

    private static boolean assignable(int pid) {
        return pid >= FIRST_ASSIGNABLE_PID && pid != NULL_PID;
    }

    /** The program association table: picks the program and the PID of its PMT. */
    private void pat(byte[] s, int n) {
        int entries = (n - MIN_SECTION) / 4;
        // Only a PAT that is whole in one section can say that a program is gone.
        boolean whole = s[6] == 0 && s[7] == 0;
        int target = program >= 0 ? program : wantedProgram;
        int targetPmt = -1;
        int firstProgram = -1;
        int firstPmt = -1;
        for (int i = 0; i < entries; i++) {
            int at = 8 + 4 * i;
            int number = (s[at] & 0xFF) << 8 | (s[at + 1] & 0xFF);
            int pmtPid = (s[at + 2] & 0x1F) << 8 | (s[at + 3] & 0xFF);
            if (number == 0 || !assignable(pmtPid)) {
                continue; // network_PID entry, or a PMT PID no stream can use
            }
            if (firstProgram < 0) {
                firstProgram = number;
                firstPmt = pmtPid;
            }
            if (number == target && targetPmt < 0) {
                targetPmt = pmtPid;
            }
        }
        int chosen = -1;
        int chosenPmt = -1;
        if (targetPmt >= 0) {
            chosen = target; // the program we follow (or asked for) is listed: follow its PMT PID
            chosenPmt = targetPmt;
        } else if (wantedProgram == 0 && firstProgram >= 0 && (program < 0 || whole)) {
            chosen = firstProgram; // first program of the first PAT, or ours is gone from a whole PAT: take the new first
            chosenPmt = firstPmt;
        }
        if (chosen >= 0 && (chosen != program || pmtState == null || pmtState.pid != chosenPmt)) {
            program = chosen;
            pmtState = new SectionState(chosenPmt);
        }
        for (int i = 0; i < entries; i++) {
            int at = 8 + 4 * i;
            int number = (s[at] & 0xFF) << 8 | (s[at + 1] & 0xFF);
            int pmtPid = (s[at + 2] & 0x1F) << 8 | (s[at + 3] & 0xFF);
            if (number != 0 && number != program && !reported.get(pmtPid)) {
                reported.set(pmtPid);
                ignoredStreams++;
                listener.unsupported("program " + number + " (PMT on PID " + pmtPid + ") is not demultiplexed"
                        + (program >= 0 ? ": program " + program + " is" : ""));
            }
        }
    }

    /** The program map table of the selected program: lists its streams and asks the listener which to read. */
    private void pmt(byte[] s, int n) {
        int end = n - 4;
        int programInfoLength = (s[10] & 0x0F) << 8 | (s[11] & 0xFF);
        int p = 12 + programInfoLength;
        if (p > end) {
            badSections++;
            listener.damaged("PMT program_info_length " + programInfoLength + " beyond its section");
            return;
        }
        List<Stream> list = new ArrayList<>();
        BitSet seen = new BitSet(PID_COUNT);
        while (p < end) {
            if (end - p < 5) {
                badSections++;
                listener.damaged("PMT stream entry cut by the end of its section");
                return;
            }
            int type = s[p] & 0xFF;
            int pid = (s[p + 1] & 0x1F) << 8 | (s[p + 2] & 0xFF);
            int infoLength = (s[p + 3] & 0x0F) << 8 | (s[p + 4] & 0xFF);
            p += 5 + infoLength;
            if (p > end) {
                badSections++;
                listener.damaged("PMT ES_info_length " + infoLength + " beyond its section");
                return;
            }
            if (!assignable(pid) || pid == pmtState.pid || seen.get(pid)) {
                continue; // a stream cannot sit on a reserved PID, the PMT's own, or twice on one
            }
            seen.set(pid);
            if (list.size() == MAX_PROGRAM_STREAMS) {
                if (!reported.get(pid)) {
                    reported.set(pid);
                    ignoredStreams++;
                    listener.unsupported("PID " + pid + " (stream_type " + type + ") is over the limit of "
                            + MAX_PROGRAM_STREAMS + " streams per program");
                }
                continue;
            }
            list.add(new Stream(pid, type));
        }
        streams = List.copyOf(list);
        Set<Integer> wanted = listener.programMap(program, streams);
        BitSet keep = new BitSet(PID_COUNT);
        for (Stream st : streams) {
            if (wanted != null && wanted.contains(st.pid())) {
                keep.set(st.pid());
            }
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null && !keep.get(slots[i].pid)) {
                slotOfPid[slots[i].pid] = 0;
                slots[i] = null;
            }
        }
        for (int pid = keep.nextSetBit(0); pid >= 0; pid = keep.nextSetBit(pid + 1)) {
            if (slotOfPid[pid] == 0) {
                int free = 0;
                while (slots[free] != null) {
                    free++; // at most MAX_PROGRAM_STREAMS are kept, so a slot is free
                }
                slots[free] = new EsState(pid);
                slotOfPid[pid] = (byte) (free + 1);
            }
        }
    }

    // ---- PES

    private enum Phase {
        /** Waiting for a packet with payload_unit_start_indicator. */
        IDLE,
        HEADER,
        BODY,
        /** A bounded PES ended; payload before the next unit start is surplus. */
        ENDED
    }

    /** One selected elementary stream: its PES header being read and how much of its payload is left. */
    private final class EsState extends PidState {
        private final byte[] header = new byte[MAX_PES_HEADER];
        private int headerHave;
        private int headerNeed;
        private Phase phase = Phase.IDLE;
        /** Payload bytes left in a bounded PES, -1 for an unbounded one. */
        private long remaining;
        private long delivered;
        private boolean randomAccess;
        private boolean discontinuity;
        private boolean scrambled;

        EsState(int pid) {
            super(pid);
        }

        @Override
        void reset() {
            super.reset();
            phase = Phase.IDLE;
        }

        @Override
        void lost(String why) {
            phase = Phase.IDLE;
            listener.lost(pid, false, why);
        }

        @Override
        void scrambled(int pid) {
            if (!scrambled) {
                scrambled = true;
                lost("scrambled packets on PID " + pid + " cannot be read");
            }
            phase = Phase.IDLE;
        }

        void endOfInput() {
            if (phase == Phase.BODY && remaining < 0) {
                phase = Phase.IDLE;
                listener.pesEnd(pid);
            } else if (phase == Phase.BODY || phase == Phase.HEADER) {
                badPes("the input ended inside a PES");
            }
        }

        @Override
        void payload(byte[] b, int p, int end, boolean unitStart, boolean rai, boolean disc) {
            scrambled = false;
            if (unitStart) {
                finishPrevious();
                phase = Phase.HEADER;
                headerHave = 0;
                headerNeed = 6;
                randomAccess = rai;
                discontinuity = disc;
            }
            switch (phase) {
                case IDLE -> {
                    return;
                }
                case ENDED -> {
                    surplus(end - p);
                    return;
                }
                case HEADER -> {
                    p = readHeader(b, p, end);
                    if (phase != Phase.BODY) {
                        return;
                    }
                }
                default -> {
                    // BODY
                }
            }
            body(b, p, end);
        }

        /** A unit start ends the PES in progress: whole if it was unbounded, cut short if bounded. */
        private void finishPrevious() {
            if (phase == Phase.BODY) {
                if (remaining < 0) {
                    listener.pesEnd(pid);
                } else {
                    badPes("PES ended " + remaining + " bytes short of its PES_packet_length");
                }
            } else if (phase == Phase.HEADER) {
                badPes("PES shorter than its header");
            }
            phase = Phase.IDLE;
        }

        private int readHeader(byte[] b, int p, int end) {
            while (phase == Phase.HEADER && p < end) {
                int n = Math.min(end - p, headerNeed - headerHave);
                System.arraycopy(b, p, header, headerHave, n);
                headerHave += n;
                p += n;
                if (headerHave == headerNeed) {
                    headerStep();
                }
            }
            return p;
        }

        /** Called when headerNeed bytes are in: checks them, then asks for more or starts the body. */
        private void headerStep() {
            int streamId = header[3] & 0xFF;
            int length = (header[4] & 0xFF) << 8 | (header[5] & 0xFF);
            if (headerHave == 6) {
                if (header[0] != 0 || header[1] != 0 || header[2] != 1) {
                    badPes("no packet_start_code_prefix at a unit start");
                    return;
                }
                if (!hasOptionalHeader(streamId)) {
                    start(new PesHeader(streamId, length, -1, -1, false, randomAccess, discontinuity), length);
                    return;
                }
                headerNeed = 9;
                return;
            }
            if (headerHave == 9) {
                if ((header[6] & 0xC0) != 0x80) {
                    badPes("PES header without the '10' marker");
                    return;
                }
                int headerDataLength = header[8] & 0xFF;
                int ptsDts = (header[7] & 0xFF) >> 6;
                int timestamps = ptsDts == 3 ? 10 : ptsDts == 2 ? 5 : 0;
                if (ptsDts == 1 || headerDataLength < timestamps) {
                    badPes("PES PTS_DTS_flags " + ptsDts + " do not fit PES_header_data_length " + headerDataLength);
                    return;
                }
                if (length != 0 && length < 3 + headerDataLength) {
                    badPes("PES_packet_length " + length + " shorter than its header");
                    return;
                }
                headerNeed = 9 + headerDataLength;
                if (headerNeed > headerHave) {
                    return;
                }
            }
            int ptsDts = (header[7] & 0xFF) >> 6;
            long pts = ptsDts >= 2 ? timestamp(header, 9) : -1;
            long dts = ptsDts == 3 ? timestamp(header, 14) : -1;
            boolean alignment = (header[6] & 0x04) != 0;
            int payload = length == 0 ? -1 : length - 3 - (header[8] & 0xFF);
            start(new PesHeader(streamId, length, pts, dts, alignment, randomAccess, discontinuity), payload);
        }

        private void start(PesHeader h, int payloadLength) {
            pesPackets++;
            phase = Phase.BODY;
            remaining = payloadLength < 0 || h.pesPacketLength() == 0 ? -1 : payloadLength;
            delivered = 0;
            listener.pesStart(pid, h);
            if (remaining == 0 && phase == Phase.BODY) {
                phase = Phase.ENDED;
                listener.pesEnd(pid);
            }
        }

        /**
         * Payload after the end that PES_packet_length gave, before the next unit start: the PES as delivered stays, the
         * surplus is dropped and counted once.
         */
        private void surplus(int n) {
            badPes++;
            phase = Phase.IDLE;
            listener.damaged(n + " bytes on PID " + pid + " after the end of a PES (PES_packet_length too short?)");
        }

        private void badPes(String why) {
            badPes++;
            phase = Phase.IDLE;
            listener.lost(pid, true, why);
        }

        private void body(byte[] b, int p, int end) {
            if (p >= end) {
                return;
            }
            int n = remaining < 0 ? end - p : (int) Math.min(end - p, remaining);
            if (delivered + n > MAX_PES_BYTES) {
                badPes("PES larger than " + MAX_PES_BYTES + " bytes");
                return;
            }
            delivered += n;
            listener.pesData(pid, b, p, n);
            if (phase != Phase.BODY) {
                return; // the listener reset us (discontinuity() from inside the call)
            }
            if (remaining >= 0) {
                remaining -= n;
                if (remaining == 0) {
                    phase = Phase.ENDED;
                    listener.pesEnd(pid);
                    if (p + n < end && phase == Phase.ENDED) {
                        surplus(end - p - n);
                    }
                }
            }
        }
    }

    /**
     * Stream ids whose PES has no optional header (2.4.3.7): program_stream_map, padding, private_stream_2, ECM, EMM,
     * program_stream_directory, DSMCC, ITU-T H.222.1 type E.
     */
    private static boolean hasOptionalHeader(int streamId) {
        return switch (streamId) {
            case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF -> false;
            default -> true;
        };
    }

    /** A 33-bit PTS or DTS from its 5 bytes (marker bits not checked: some muxers get them wrong). */
    static long timestamp(byte[] h, int p) {
        return ((h[p] & 0x0EL) << 29) | ((h[p + 1] & 0xFFL) << 22) | ((h[p + 2] & 0xFEL) << 14)
                | ((h[p + 3] & 0xFFL) << 7) | ((h[p + 4] & 0xFFL) >> 1);
    }
}
