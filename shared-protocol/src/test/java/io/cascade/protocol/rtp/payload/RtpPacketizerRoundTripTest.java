package io.cascade.protocol.rtp.payload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.rtp.ReorderWindow;
import io.cascade.protocol.rtp.RtpCaptures;
import io.cascade.protocol.rtp.RtpException;
import io.cascade.protocol.rtp.RtpPacket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Packetizer then depacketizer gives the access units back: in order, shuffled through a reorder window, with losses. */
class RtpPacketizerRoundTripTest {
    private static final long SSRC = 0x12345678L;

    /** Real access units from the captures, then synthetic ones with NAL units larger than any payload size. */
    private static List<byte[]> videoUnits(String capture, Depacketizer d, boolean hevc, Random random) throws RtpException {
        List<byte[]> units = new ArrayList<>();
        for (AccessUnit au : RtpDepacketizerCapturesTest.run(d, RtpCaptures.packets(capture))) {
            units.add(au.data());
        }
        for (int i = 0; i < 30; i++) {
            ByteArrayOutputStream au = new ByteArrayOutputStream();
            int nals = 1 + random.nextInt(5);
            for (int k = 0; k < nals; k++) {
                int len = random.nextInt(10) == 0 ? 3000 + random.nextInt(6000) : 2 + random.nextInt(300);
                byte[] nal = new byte[len];
                random.nextBytes(nal);
                if (hevc) {
                    nal[0] = (byte) ((random.nextBoolean() ? 1 : 19) << 1); // TRAIL_R or IDR_W_RADL, F = 0
                    nal[1] = 1; // layer 0, TID 1
                } else {
                    nal[0] = (byte) (0x60 | (random.nextBoolean() ? 1 : 5)); // NRI 3, slice or IDR
                }
                au.write(len >>> 24);
                au.write(len >>> 16);
                au.write(len >>> 8);
                au.write(len);
                au.write(nal, 0, len);
            }
            units.add(au.toByteArray());
        }
        return units;
    }

    private static List<byte[]> audioUnits(Random random) {
        List<byte[]> units = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] f = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 5000 : 400)];
            random.nextBytes(f);
            units.add(f);
        }
        return units;
    }

    /** RTP packets for the units, one timestamp per unit (3000 apart), sequence numbers from {@code firstSeq}. */
    private static List<RtpPacket> packets(Packetizer packetizer, List<byte[]> units, int firstSeq, Map<Long, byte[]> byTs,
                                           Map<Integer, Long> tsOfSeq) {
        List<RtpPacket> out = new ArrayList<>();
        int seq = firstSeq;
        long ts = 0xFFFFF000L; // wraps during the run
        for (byte[] unit : units) {
            List<byte[]> payloads = packetizer.packetize(unit);
            for (int i = 0; i < payloads.size(); i++) {
                byte[] p = payloads.get(i);
                assertTrue(p.length <= packetizer.maxPayload(), "payload within the limit");
                out.add(RtpPacket.of(i == payloads.size() - 1, 96, seq, ts, SSRC, p));
                tsOfSeq.put(seq, ts);
                seq = (seq + 1) & 0xFFFF;
            }
            byTs.put(ts, unit);
            ts = (ts + 3000) & 0xFFFFFFFFL;
        }
        return out;
    }

    private static void roundTrip(Supplier<Packetizer> packetizer, Supplier<Depacketizer> depacketizer, List<byte[]> units)
            throws RtpException {
        Map<Long, byte[]> byTs = new HashMap<>();
        List<RtpPacket> packets = packets(packetizer.get(), units, 65000, byTs, new HashMap<>());
        List<AccessUnit> out = RtpDepacketizerCapturesTest.run(depacketizer.get(), packets);
        assertEquals(units.size(), out.size());
        for (int i = 0; i < units.size(); i++) {
            assertArrayEquals(units.get(i), out.get(i).data(), "unit " + i);
            assertEquals(i == 0, out.get(i).discontinuity(), "only the first unit is flagged");
        }
    }

    @Test
    void h264InOrder() throws RtpException {
        Random random = new Random(1);
        List<byte[]> units = videoUnits("h264.rtp", new H264Depacketizer(), false, random);
        for (int size : new int[] {Packetizer.MIN_MAX_PAYLOAD, 100, 1400}) {
            roundTrip(() -> new H264Packetizer(size, true), H264Depacketizer::new, units);
            roundTrip(() -> new H264Packetizer(size, false), H264Depacketizer::new, units);
        }
    }

    @Test
    void h265InOrder() throws RtpException {
        Random random = new Random(2);
        List<byte[]> units = videoUnits("h265.rtp", new H265Depacketizer(), true, random);
        for (int size : new int[] {Packetizer.MIN_MAX_PAYLOAD, 100, 1400}) {
            roundTrip(() -> new H265Packetizer(size, true), H265Depacketizer::new, units);
            roundTrip(() -> new H265Packetizer(size, false), H265Depacketizer::new, units);
        }
    }

    @Test
    void aacInOrder() throws RtpException {
        List<byte[]> units = audioUnits(new Random(3));
        for (int size : new int[] {Packetizer.MIN_MAX_PAYLOAD, 300, 1400}) {
            roundTrip(() -> new AacHbrPacketizer(size), () -> hbr(), units);
        }
    }

    @Test
    void aacSeveralFramesPerPacket() throws RtpException {
        List<byte[]> units = audioUnits(new Random(4));
        List<AacHbrPacketizer.Packed> packed = new AacHbrPacketizer(1400).packetizeMany(units);
        assertTrue(packed.size() < units.size(), "small frames share packets");
        List<RtpPacket> packets = new ArrayList<>();
        long ts = 0;
        int seq = 0;
        for (AacHbrPacketizer.Packed p : packed) {
            packets.add(RtpPacket.of(p.marker(), 97, seq++, ts, SSRC, p.payload()));
            if (p.marker()) {
                ts += 1024L * Math.max(1, p.frames());
            }
        }
        List<AccessUnit> out = RtpDepacketizerCapturesTest.run(hbr(), packets);
        assertEquals(units.size(), out.size());
        for (int i = 0; i < units.size(); i++) {
            assertArrayEquals(units.get(i), out.get(i).data());
            assertEquals(1024L * i, out.get(i).timestamp());
        }
    }

    private static Depacketizer hbr() {
        try {
            return AacHbrDepacketizer.fromFormatParameters(RtpDepacketizerCapturesTest.HBR);
        } catch (RtpException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Packets displaced by up to 4 places and 3 % lost pass a reorder window: every unit whose packets were all released
     * comes out whole, and any unit that comes out with a piece missing is flagged as a discontinuity.
     */
    private static void shuffledWithLosses(Supplier<Packetizer> packetizer, Supplier<Depacketizer> depacketizer,
                                           List<byte[]> units, long seed) throws RtpException {
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            Map<Long, byte[]> byTs = new HashMap<>();
            Map<Integer, Long> tsOfSeq = new HashMap<>();
            List<RtpPacket> sent = packets(packetizer.get(), units, random.nextInt(65536), byTs, tsOfSeq);
            List<RtpPacket> wire = new ArrayList<>();
            for (RtpPacket p : sent) {
                if (random.nextInt(100) >= 3) {
                    wire.add(p);
                }
            }
            for (int i = 0; i < wire.size(); i++) {
                Collections.swap(wire, i, Math.min(wire.size() - 1, i + random.nextInt(5)));
            }
            ReorderWindow<RtpPacket> window = new ReorderWindow<>(16, 8);
            Depacketizer d = depacketizer.get();
            List<AccessUnit> out = new ArrayList<>();
            Set<Integer> released = new HashSet<>();
            for (RtpPacket p : wire) {
                for (RtpPacket r : window.push(p.sequence(), p)) {
                    released.add(r.sequence());
                    d.push(r, out::add);
                }
            }
            for (RtpPacket r : window.flush()) {
                released.add(r.sequence());
                d.push(r, out::add);
            }
            d.flush(out::add);
            Set<Long> whole = new HashSet<>(byTs.keySet());
            for (RtpPacket p : sent) {
                if (!released.contains(p.sequence())) {
                    whole.remove(p.timestamp());
                }
            }
            Set<Long> seen = new HashSet<>();
            for (AccessUnit au : out) {
                byte[] original = byTs.get(au.timestamp());
                assertTrue(original != null, "a unit at a timestamp that was sent");
                seen.add(au.timestamp());
                if (whole.contains(au.timestamp())) {
                    assertArrayEquals(original, au.data());
                } else {
                    assertTrue(au.discontinuity(), "a unit missing a packet is flagged");
                }
            }
            for (long ts : whole) {
                assertTrue(seen.contains(ts) || audioFrameLostWithNeighbour(ts), "every whole unit comes out: " + ts);
            }
            assertTrue(out.size() >= whole.size() * 8 / 10, "most units come out");
            assertEquals(released.size(), window.released());
        }
    }

    /** Units never share a packet here (one timestamp per unit), so nothing excuses a missing whole unit. */
    private static boolean audioFrameLostWithNeighbour(long ts) {
        return false;
    }

    @Test
    void h264ShuffledWithLosses() throws RtpException {
        List<byte[]> units = videoUnits("h264.rtp", new H264Depacketizer(), false, new Random(5));
        shuffledWithLosses(() -> new H264Packetizer(300, true), H264Depacketizer::new, units, 11);
    }

    @Test
    void h265ShuffledWithLosses() throws RtpException {
        List<byte[]> units = videoUnits("h265.rtp", new H265Depacketizer(), true, new Random(6));
        shuffledWithLosses(() -> new H265Packetizer(300, true), H265Depacketizer::new, units, 12);
    }

    @Test
    void aacShuffledWithLosses() throws RtpException {
        shuffledWithLosses(() -> new AacHbrPacketizer(300), RtpPacketizerRoundTripTest::hbr, audioUnits(new Random(7)), 13);
    }
}
