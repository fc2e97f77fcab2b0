package io.cascade.protocol.ts.frames;

import static io.cascade.protocol.ts.frames.Streams.assertRoundTrip;
import static io.cascade.protocol.ts.frames.Streams.assertSameMedia;
import static io.cascade.protocol.ts.frames.Streams.audio;
import static io.cascade.protocol.ts.frames.Streams.video;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.ts.TsSample;
import io.cascade.protocol.ts.TsSegmentWriter;
import io.cascade.protocol.ts.TsTrackConfig;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Streams written by TsSegmentWriter come back as the frames that went in, however the bytes are cut; damage is counted. */
class TsToFramesTest {
    private static final int PACKET = 188;

    @Test
    void h264AndAacComeBackWholeInAnySplit() {
        Streams.Written w = Streams.h264(1, 900_000, 3);
        assertRoundTrip(w, Collector.whole(w.ts()), Codec.H264);
        for (long seed = 0; seed < 20; seed++) {
            assertRoundTrip(w, Collector.pieces(w.ts(), seed, 2000), Codec.H264);
        }
        assertRoundTrip(w, Collector.pieces(w.ts(), 99, 7), Codec.H264);
        assertRoundTrip(w, Collector.fixed(w.ts(), 1316), Codec.H264); // 7 packets per UDP datagram
        assertRoundTrip(w, Collector.fixed(w.ts(), 1), Codec.H264);
        assertRoundTrip(w, Collector.fixed(w.ts(), 187), Codec.H264);
        assertRoundTrip(w, Collector.fixed(w.ts(), 189), Codec.H264);
    }

    @Test
    void h265AndAacComeBackWholeInAnySplit() {
        Streams.Written w = Streams.h265(2, 0, 3);
        assertRoundTrip(w, Collector.whole(w.ts()), Codec.H265);
        for (long seed = 0; seed < 10; seed++) {
            assertRoundTrip(w, Collector.pieces(w.ts(), seed, 2000), Codec.H265);
        }
        assertRoundTrip(w, Collector.fixed(w.ts(), 1316), Codec.H265);
    }

    @Test
    void withoutFlushTheLastAccessUnitWaitsForTheNextPes() {
        Streams.Written w = Streams.h264(3, 0, 1);
        Collector c = new Collector();
        TsToFrames t = new TsToFrames(c);
        t.feed(w.ts(), 0, w.ts().length);
        // an unbounded video PES ends only when the next one starts: the last access unit is still open
        assertEquals(video(w.samples()).size() - 1, c.media(TsToFrames.VIDEO_TRACK).size());
        assertEquals(audio(w.samples()).size(), c.media(TsToFrames.AUDIO_TRACK).size());
        t.flush();
        assertEquals(video(w.samples()).size(), c.media(TsToFrames.VIDEO_TRACK).size());
    }

    @Test
    void timestampsRunOnAcrossThe33BitWrap() {
        long start = (1L << 33) - 90_000; // one second before the wrap
        Streams.Written w = Streams.h264(4, start, 3);
        Collector c = Collector.pieces(w.ts(), 4, 1316);
        assertRoundTrip(w, c, Codec.H264); // the samples' 64-bit timestamps, past 2^33, come back as they were
        for (int track : new int[] {TsToFrames.VIDEO_TRACK, TsToFrames.AUDIO_TRACK}) {
            List<MediaFrame> f = c.media(track);
            for (int i = 1; i < f.size(); i++) {
                assertTrue(f.get(i).dts() > f.get(i - 1).dts(), "dts increases: " + f.get(i));
            }
            assertTrue(f.get(f.size() - 1).dts() > 1L << 33, "past the wrap");
        }
    }

    @Test
    void aWrapAfterTheFirstTimestampIsUnwrappedForEveryPid() {
        TsToFrames.Timeline t = new TsToFrames.Timeline();
        long wrap = 1L << 33;
        assertEquals(wrap - 10, t.unwrap(wrap - 10));
        assertEquals(wrap + 5, t.unwrap(5)); // video crossed
        assertEquals(wrap - 3, t.unwrap(wrap - 3)); // audio a little behind, not crossed yet
        assertEquals(wrap + 20, t.unwrap(20));
        long quarter = wrap / 4; // 6.6 hours
        assertEquals(wrap + quarter, t.unwrap(quarter));
        assertEquals(wrap + 2 * quarter, t.unwrap(2 * quarter));
        assertEquals(wrap + 3 * quarter, t.unwrap(3 * quarter));
        assertEquals(2 * wrap + 1, t.unwrap(1)); // the next wrap, 26.5 hours after the first
        assertEquals(2 * wrap - 1, t.unwrap(wrap - 1)); // a little before it again
    }

    @Test
    void parameterChangesMidStreamSendNewConfigs() {
        Random r = new Random(5);
        TsTrackConfig first = TsTrackConfig.of(Codec.H264, Streams.AVC, Streams.ASC_48K);
        TsTrackConfig second = TsTrackConfig.of(Codec.H264, Streams.AVC_BASELINE, Streams.ASC_44K);
        List<TsSample> a = Streams.samples(r, Codec.H264, 48_000, 0, 1);
        List<TsSample> b = Streams.samples(r, Codec.H264, 44_100, 90_000, 1);
        byte[] ts = concat(Streams.write(first, a), Streams.write(second, b));
        Collector c = Collector.pieces(ts, 5, 1500);
        List<MediaFrame> vc = c.configs(TsToFrames.VIDEO_TRACK);
        assertEquals(2, vc.size());
        assertArrayEquals(Streams.AVC, vc.get(0).payload());
        assertArrayEquals(Streams.AVC_BASELINE, vc.get(1).payload());
        assertEquals(90_000, vc.get(1).dts(), "the new config comes with the first access unit that has it");
        List<MediaFrame> ac = c.configs(TsToFrames.AUDIO_TRACK);
        assertEquals(2, ac.size());
        assertArrayEquals(Streams.ASC_48K, ac.get(0).payload());
        assertArrayEquals(Streams.ASC_44K, ac.get(1).payload());
        List<MediaFrame> track = c.track(TsToFrames.VIDEO_TRACK);
        int second0 = track.indexOf(vc.get(1));
        assertTrue(track.get(second0 + 1).isKeyframe() && track.get(second0 + 1).dts() == 90_000);
        List<TsSample> all = new ArrayList<>(a);
        all.addAll(b);
        assertSameMedia(video(all), c.media(TsToFrames.VIDEO_TRACK), 0);
        // 44.1 kHz frames after the first of a PES are computed from the PES PTS: within a tick of the writer's
        assertSameMedia(audio(all), c.media(TsToFrames.AUDIO_TRACK), 1);
        assertEquals(List.of(), c.skips);
    }

    @Test
    void aDroppedPacketIsCountedAndVideoResumesAtTheNextKeyframe() {
        Streams.Written w = Streams.h264(6, 0, 3);
        byte[] ts = w.ts();
        // a continuation packet of the video PID in the middle of the second GOP
        int victim = packetOf(ts, TsSegmentWriter.VIDEO_PID, false, ts.length / PACKET / 2);
        byte[] damaged = concat(slice(ts, 0, victim * PACKET), slice(ts, (victim + 1) * PACKET, ts.length));
        Collector c = Collector.pieces(damaged, 6, 1316);
        assertEquals(1, c.stats.continuityErrors());
        assertEquals(1, c.inputErrors, "the cheap count agrees with the full statistics");
        assertEquals(1, c.stats.damagedUnits(), "the access unit being assembled");
        assertTrue(c.stats.droppedBeforeKeyframe() > 0);
        List<TsSample> v = video(w.samples());
        List<MediaFrame> got = c.media(TsToFrames.VIDEO_TRACK);
        long lostAt = lostAccessUnitDts(ts, victim);
        // everything before the damaged access unit, then from the next keyframe on
        List<TsSample> expected = new ArrayList<>();
        long resumeAt = v.stream().filter(s -> s.keyframe() && s.dts90k() > lostAt).findFirst().orElseThrow().dts90k();
        for (TsSample s : v) {
            if (s.dts90k() < lostAt || s.dts90k() >= resumeAt) {
                expected.add(s);
            }
        }
        assertSameMedia(expected, got, 0);
        assertSameMedia(audio(w.samples()), c.media(TsToFrames.AUDIO_TRACK), 0);
        assertEquals(1, c.skips(TsToFrames.Skip.DAMAGED));
    }

    @Test
    void garbageBetweenPacketsCostsAResyncAndNoFrame() {
        Streams.Written w = Streams.h264(7, 0, 3);
        byte[] ts = w.ts();
        Random r = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int packets = ts.length / PACKET;
        int insertions = 0;
        for (int i = 0; i < packets; i++) {
            if (i > 0 && i % 97 == 0) {
                byte[] junk = new byte[1 + r.nextInt(600)];
                r.nextBytes(junk);
                junk[0] = 0x12; // not a sync byte, so the loss is seen right there
                out.writeBytes(junk);
                insertions++;
            }
            out.write(ts, i * PACKET, PACKET);
        }
        byte[] dirty = out.toByteArray();
        for (long seed = 0; seed < 4; seed++) {
            Collector c = Collector.pieces(dirty, seed, 2000);
            assertEquals(insertions, c.stats.syncLosses());
            assertEquals(dirty.length - ts.length, c.stats.skippedBytes());
            assertEquals(0, c.stats.continuityErrors());
            assertSameMedia(video(w.samples()), c.media(TsToFrames.VIDEO_TRACK), 0);
            assertSameMedia(audio(w.samples()), c.media(TsToFrames.AUDIO_TRACK), 0);
        }
        Collector c = Collector.fixed(dirty, 1316);
        assertSameMedia(video(w.samples()), c.media(TsToFrames.VIDEO_TRACK), 0);
    }

    @Test
    void leadingGarbageIsSkippedWithoutCountingALoss() {
        Streams.Written w = Streams.h264(8, 0, 1);
        byte[] junk = new byte[1000];
        new Random(8).nextBytes(junk);
        Collector c = Collector.pieces(concat(junk, w.ts()), 8, 500);
        assertEquals(0, c.stats.syncLosses());
        assertEquals(1000, c.stats.skippedBytes());
        assertSameMedia(video(w.samples()), c.media(TsToFrames.VIDEO_TRACK), 0);
    }

    @Test
    void duplicatePacketsAreDropped() {
        Streams.Written w = Streams.h264(9, 0, 2);
        byte[] ts = w.ts();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int duplicates = 0;
        for (int i = 0; i < ts.length / PACKET; i++) {
            out.write(ts, i * PACKET, PACKET);
            int pid = (ts[i * PACKET + 1] & 0x1F) << 8 | (ts[i * PACKET + 2] & 0xFF);
            if (i % 10 == 3 && pid != TsSegmentWriter.PAT_PID) {
                out.write(ts, i * PACKET, PACKET); // sent twice, as 2.4.3.3 allows
                duplicates++;
            }
        }
        Collector c = Collector.pieces(out.toByteArray(), 9, 1316);
        assertEquals(duplicates, c.stats.duplicatePackets());
        assertEquals(0, c.stats.continuityErrors());
        assertSameMedia(video(w.samples()), c.media(TsToFrames.VIDEO_TRACK), 0);
        assertSameMedia(audio(w.samples()), c.media(TsToFrames.AUDIO_TRACK), 0);
    }

    @Test
    void transportErrorIndicatorDropsThePacket() {
        Streams.Written w = Streams.h264(10, 0, 2);
        byte[] ts = w.ts().clone();
        int victim = packetOf(ts, TsSegmentWriter.VIDEO_PID, false, 10);
        ts[victim * PACKET + 1] |= (byte) 0x80;
        Collector c = Collector.whole(ts);
        assertEquals(1, c.stats.transportErrors());
        assertEquals(1, c.stats.continuityErrors(), "the packet is missing from its PID");
        long lostAt = lostAccessUnitDts(ts, victim);
        assertTrue(c.media(TsToFrames.VIDEO_TRACK).stream().noneMatch(f -> f.dts() == lostAt));
        assertEquals(Streams.FPS, c.media(TsToFrames.VIDEO_TRACK).stream().filter(f -> f.dts() >= 90_000).count(),
                "the second GOP is whole");
    }

    @Test
    void discontinuityForgetsPartialDataAndWaitsForAKeyframe() {
        Streams.Written w = Streams.h264(11, 0, 3);
        byte[] ts = w.ts();
        Collector c = new Collector();
        TsToFrames t = new TsToFrames(c);
        int cut = ts.length / 2 + 77; // mid-packet
        t.feed(ts, 0, cut);
        t.discontinuity();
        int before = c.frames.size();
        // the source "restarts" inside its second second: what comes first is the middle of a packet
        t.feed(ts, cut, ts.length - cut);
        t.flush();
        TsToFrames.Stats s = t.stats();
        assertEquals(0, s.continuityErrors() + s.syncLosses() + s.damagedUnits(), s.toString());
        List<MediaFrame> got = c.media(TsToFrames.VIDEO_TRACK);
        assertEquals(1, c.configs(TsToFrames.VIDEO_TRACK).size(), "the config is kept");
        List<TsSample> v = video(w.samples());
        assertEquals(v.get(v.size() - 1).dts90k(), got.get(got.size() - 1).dts());
        MediaFrame resumed = c.frames.subList(before, c.frames.size()).stream()
                .filter(f -> f.track() == TsToFrames.VIDEO_TRACK).findFirst().orElseThrow();
        assertTrue(resumed.isKeyframe() && resumed.dts() == 180_000, resumed.toString());
    }

    @Test
    void theSinksExceptionsComeOutUnchanged() {
        Streams.Written w = Streams.h264(12, 0, 1);
        IllegalStateException boom = new IllegalStateException("full");
        TsToFrames t = new TsToFrames(new TsToFrames.Sink() {
            @Override
            public void frame(MediaFrame frame) {
                throw boom;
            }

            @Override
            public void skipped(TsToFrames.Skip why, String detail) {
            }
        });
        IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> t.feed(w.ts(), 0, w.ts().length));
        assertTrue(thrown == boom);
        assertEquals(0, t.stats().internalErrors());
    }

    // ---- helpers

    /** Index of the n-th packet (counting from packet 'from') of pid with the given payload_unit_start_indicator. */
    static int packetOf(byte[] ts, int pid, boolean unitStart, int from) {
        for (int i = from; i < ts.length / PACKET; i++) {
            int o = i * PACKET;
            int p = (ts[o + 1] & 0x1F) << 8 | (ts[o + 2] & 0xFF);
            if (p == pid && ((ts[o + 1] & 0x40) != 0) == unitStart) {
                return i;
            }
        }
        throw new AssertionError("no such packet");
    }

    /** DTS (or PTS) of the PES that packet index belongs to, from the header of the PES start before it on its PID. */
    static long lostAccessUnitDts(byte[] ts, int index) {
        int pid = (ts[index * PACKET + 1] & 0x1F) << 8 | (ts[index * PACKET + 2] & 0xFF);
        for (int i = index; i >= 0; i--) {
            int o = i * PACKET;
            int p = (ts[o + 1] & 0x1F) << 8 | (ts[o + 2] & 0xFF);
            if (p == pid && (ts[o + 1] & 0x40) != 0) {
                int at = o + 4;
                if ((ts[o + 3] & 0x20) != 0) {
                    at += 1 + (ts[at] & 0xFF);
                }
                int flags = (ts[at + 7] & 0xFF) >> 6;
                int tsAt = flags == 3 ? at + 14 : at + 9;
                return ((ts[tsAt] & 0x0EL) << 29) | ((ts[tsAt + 1] & 0xFFL) << 22) | ((ts[tsAt + 2] & 0xFEL) << 14)
                        | ((ts[tsAt + 3] & 0xFFL) << 7) | ((ts[tsAt + 4] & 0xFFL) >> 1);
            }
        }
        throw new AssertionError("no PES start before packet " + index);
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
