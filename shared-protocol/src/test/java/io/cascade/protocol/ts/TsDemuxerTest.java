package io.cascade.protocol.ts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demuxer alone: sync, PSI assembly and program selection, PES delivery, as a log of listener events. */
class TsDemuxerTest {
    static final int PMT = 0x20;
    static final int V = 0x41;
    static final int A = 0x42;

    /** Records every call; selects every stream. */
    static final class Log implements TsDemuxer.Listener {
        final List<String> events = new ArrayList<>();
        final List<List<TsDemuxer.Stream>> maps = new ArrayList<>();
        final Map<Integer, ByteArrayOutputStream> data = new HashMap<>();

        ByteArrayOutputStream data(int pid) {
            return data.computeIfAbsent(pid, k -> new ByteArrayOutputStream());
        }

        @Override
        public Set<Integer> programMap(int programNumber, List<TsDemuxer.Stream> streams) {
            maps.add(streams);
            events.add("map " + programNumber + " " + streams.size());
            Set<Integer> all = new HashSet<>();
            streams.forEach(s -> all.add(s.pid()));
            return all;
        }

        @Override
        public void pesStart(int pid, TsDemuxer.PesHeader header) {
            events.add("start " + pid + " " + header.streamId() + " pts " + header.pts() + " dts " + header.dts());
        }

        @Override
        public void pesData(int pid, byte[] b, int offset, int length) {
            data(pid).write(b, offset, length);
        }

        @Override
        public void pesEnd(int pid) {
            events.add("end " + pid + " " + data(pid).size());
            data(pid).reset();
        }

        @Override
        public void lost(int pid, boolean badPes, String why) {
            events.add("lost " + pid + " " + badPes);
            data(pid).reset();
        }

        @Override
        public void damaged(String detail) {
            events.add("damaged " + detail);
        }

        @Override
        public void unsupported(String detail) {
            events.add("unsupported " + detail);
        }

        List<String> only(String prefix) {
            return events.stream().filter(e -> e.startsWith(prefix)).toList();
        }
    }

    static Log run(byte[] ts) {
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        d.feed(ts, 0, ts.length);
        d.flush();
        return log;
    }

    @Test
    void syncNeedsTwoMoreSyncBytesAPacketApart() {
        byte[] stream = new TsBuilder().psi(1, PMT, 0x1B, V).pes(V, 0xE0, 0, -1, new byte[500], true, false).bytes();
        byte[] decoy = new byte[400];
        decoy[10] = 0x47;
        decoy[10 + 188] = 0x47; // a third would be at 10 + 376, where there is none
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        byte[] all = TsBuilder.concat(decoy, stream);
        for (int i = 0; i < all.length; i += 100) {
            d.feed(all, i, Math.min(100, all.length - i));
        }
        assertEquals(List.of("map 1 1", "start 65 224 pts 0 dts -1", "end 65 500"), log.events);
        assertEquals(400, d.counters().skippedBytes());
        assertEquals(0, d.counters().syncLosses());
    }

    @Test
    void aStreamTooShortToConfirmIsReadAtFlush() {
        byte[] twoPackets = new TsBuilder().psi(1, PMT, 0x1B, V).bytes();
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        d.feed(twoPackets, 0, twoPackets.length);
        assertEquals(List.of(), log.events, "two sync bytes are not enough");
        d.flush();
        assertEquals(List.of("map 1 1"), log.events);
        assertEquals(1, d.programNumber());
        assertEquals(List.of(new TsDemuxer.Stream(V, 0x1B)), d.streams());
    }

    @Test
    void aSyncLossIsCountedAndTheStreamPicksUpAfterIt() {
        TsBuilder b = new TsBuilder().psi(1, PMT, 0x1B, V);
        b.packet(TsDemuxer.NULL_PID, false, -1, new byte[184]).packet(TsDemuxer.NULL_PID, false, -1, new byte[184]);
        byte[] head = b.bytes(); // enough packets to confirm sync before the garbage
        byte[] tail = new TsBuilder().cc(V, 0).pes(V, 0xE0, 0, -1, new byte[1000], true, false).bytes();
        byte[] all = TsBuilder.concat(head, new byte[] {1, 2, 3, 0x47, 5}, tail);
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        d.feed(all, 0, all.length);
        assertEquals(1, d.counters().syncLosses());
        assertEquals(5, d.counters().skippedBytes());
        assertEquals(List.of("end 65 1000"), log.only("end"));
    }

    @Test
    void sectionsSpanPacketsShareThemAndEndBeforeThePointer() {
        int[] many = new int[2 * 60];
        for (int i = 0; i < 60; i++) {
            many[2 * i] = 0x06;
            many[2 * i + 1] = 0x100 + i;
        }
        byte[] big = TsBuilder.pmt(1, 0x100, many); // 313 bytes: two packets
        byte[] small = TsBuilder.pmt(1, V, 0x1B, V);
        byte[] other = TsBuilder.section(0x80, 7, 0, new byte[4]); // a table we do not read, first in the packet
        TsBuilder b = new TsBuilder();
        b.section(0, TsBuilder.pat(1, new int[] {1}, new int[] {PMT}));
        // packet 1: the start of the big PMT; packet 2: its end before the pointer, then another table and a small PMT
        byte[] first = new byte[184];
        first[0] = 0;
        System.arraycopy(big, 0, first, 1, 183);
        b.packet(PMT, true, -1, first);
        int rest = big.length - 183;
        byte[] second = TsBuilder.concat(new byte[] {(byte) rest}, Arrays.copyOfRange(big, 183, big.length), other,
                TsBuilder.pmt(1, V, 0x1B, V, 0x0F, A));
        byte[] padded = Arrays.copyOf(second, 184);
        Arrays.fill(padded, second.length, 184, (byte) 0xFF);
        b.packet(PMT, true, -1, padded);
        b.section(PMT, small);
        Log log = run(b.bytes());
        assertEquals(List.of("map 1 60", "map 1 2", "map 1 1"), log.only("map"));
        assertEquals(0, log.only("damaged").size());
    }

    @Test
    void aNewPmtKeepsThePesInProgressOfAStreamItKeeps() {
        TsBuilder b = new TsBuilder().psi(1, PMT, 0x1B, V);
        byte[] pes = TsBuilder.pesBytes(0xE0, 90, 0, new byte[1000], false);
        b.packet(V, true, -1, Arrays.copyOf(pes, 184));
        b.section(PMT, TsBuilder.section(0x02, 1, 1, Arrays.copyOfRange(TsBuilder.pmt(1, V, 0x1B, V, 0x0F, A), 8,
                TsBuilder.pmt(1, V, 0x1B, V, 0x0F, A).length - 4))); // version 1, one more stream
        b.continuation(V, Arrays.copyOfRange(pes, 184, pes.length));
        b.pes(A, 0xC0, 100, -1, new byte[10], true, false);
        Log log = run(b.bytes());
        assertEquals(List.of("map 1 1", "start 65 224 pts 90 dts 0", "map 1 2", "start 66 192 pts 100 dts -1", "end 66 10",
                "end 65 1000"), log.events);
    }

    @Test
    void aPatThatMovesThePmtIsFollowed() {
        TsBuilder b = new TsBuilder().psi(1, PMT, 0x1B, V);
        b.section(0, TsBuilder.section(0x00, 1, 1, new byte[] {0, 1, (byte) 0xE0, 0x30}));
        b.section(0x30, TsBuilder.pmt(1, A, 0x0F, A));
        b.section(PMT, TsBuilder.pmt(1, V, 0x1B, V, 0x0F, 0x99)); // the old PID is no longer read
        Log log = run(b.bytes());
        assertEquals(List.of("map 1 1", "map 1 1"), log.only("map"));
        assertEquals(List.of(new TsDemuxer.Stream(A, 0x0F)), log.maps.get(1));
    }

    @Test
    void aWholePatWithoutOurProgramSwitchesToItsFirst() {
        TsBuilder b = new TsBuilder().psi(1, PMT, 0x1B, V);
        b.section(0, TsBuilder.pat(1, new int[] {7}, new int[] {0x30})); // the encoder restarted as program 7
        b.section(0x30, TsBuilder.pmt(7, V, 0x1B, V));
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        byte[] ts = b.bytes();
        d.feed(ts, 0, ts.length);
        d.flush();
        assertEquals(7, d.programNumber());
        assertEquals(List.of("map 1 1", "map 7 1"), log.only("map"));
    }

    @Test
    void aChosenProgramNumberWaitsForItsProgram() {
        byte[] ts = new TsBuilder().psi(1, PMT, 0x1B, V).bytes();
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 5);
        d.feed(ts, 0, ts.length);
        d.flush();
        assertEquals(-1, d.programNumber());
        assertEquals(List.of(), log.only("map"));
        assertEquals(1, log.only("unsupported program 1").size());
    }

    @Test
    void boundedPesEndsAtItsLengthAndUnboundedAtTheNextStart() {
        TsBuilder b = new TsBuilder().psi(1, PMT, 0x1B, V, 0x0F, A);
        b.pes(A, 0xC0, 5, -1, new byte[300], true, false);
        b.pes(V, 0xE0, 7, -1, new byte[300], false, false);
        b.pes(A, 0xBE, -1, -1, new byte[20], true, false); // padding stream: no optional header
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        byte[] ts = b.bytes();
        d.feed(ts, 0, ts.length);
        // the audio PES ended with its last packet; the video one is still open: nothing says it ended
        assertEquals(List.of("map 1 2", "start 66 192 pts 5 dts -1", "end 66 300", "start 65 224 pts 7 dts -1"),
                log.events.subList(0, 4));
        assertEquals(List.of("end 66 300"), log.only("end 66 300"));
        d.flush();
        assertTrue(log.events.contains("end 65 300"));
        assertEquals(3, d.counters().pesPackets());
    }

    @Test
    void theOptionalHeaderIsSkippedWhateverItHolds() {
        TsBuilder b = new TsBuilder().psi(1, PMT, 0x1B, V);
        byte[] pes = TsBuilder.pesBytes(0xE0, 1234, -1, new byte[] {9, 9, 9}, true);
        // PES_header_data_length 5 -> 12: 7 more bytes (e.g. ESCR) between the PTS and the payload
        byte[] longer = TsBuilder.concat(Arrays.copyOf(pes, 14), new byte[7], new byte[] {9, 9, 9});
        longer[8] = 12;
        longer[5] = (byte) (longer.length - 6);
        b.units(V, longer, -1);
        Log log = run(b.bytes());
        assertEquals(List.of("map 1 1", "start 65 224 pts 1234 dts -1", "end 65 3"), log.events);
    }

    @Test
    void randomBytesNeverThrowAndCountersAddUp() {
        Random r = new Random(3);
        byte[] noise = new byte[200_000];
        r.nextBytes(noise);
        for (int i = 0; i < noise.length; i += 188 * 3) {
            noise[i] = 0x47; // sync bytes often enough to keep getting in sync
        }
        Log log = new Log();
        TsDemuxer d = new TsDemuxer(log, 0);
        for (int p = 0; p < noise.length; ) {
            int n = Math.min(noise.length - p, 1 + r.nextInt(3000));
            d.feed(noise, p, n);
            p += n;
        }
        d.flush();
        TsDemuxer.Counters c = d.counters();
        assertEquals(noise.length, c.bytes());
        assertTrue(c.packets() * 188 + c.skippedBytes() <= noise.length);
    }

    @Test
    void feedChecksItsArguments() {
        TsDemuxer d = new TsDemuxer(new Log(), 0);
        assertThrows(IndexOutOfBoundsException.class, () -> d.feed(new byte[10], 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> d.feed(null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TsDemuxer(new Log(), 0x10000));
    }
}
