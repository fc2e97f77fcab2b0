package io.cascade.protocol.ts.frames;

import static io.cascade.protocol.flv.Hex.bytes;
import static io.cascade.protocol.ts.TsBuilder.adts;
import static io.cascade.protocol.ts.TsBuilder.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.MediaFrame;
import io.cascade.protocol.ts.TsBuilder;
import io.cascade.protocol.ts.TsDemuxer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The catalogue of damaged and unusual inputs, each built packet by packet: every case is counted, reported, costs no
 * more than the unit it touches, and throws nothing.
 */
class TsToFramesDamageTest {
    static final int PMT = 0x20;
    static final int V = 0x41;
    static final int A = 0x42;
    static final int H264 = 0x1B;
    static final int AAC = 0x0F;
    static final byte[] AUD = bytes("09f0");
    static final byte[] SPS = bytes("674d401feca02802dd8088000003000800000301e078c18cb0");
    static final byte[] PPS = bytes("68ebe3cb20");
    /** AAC LC (profile 1), 48 kHz (index 3), stereo. */
    static final int LC = 1;
    static final int RATE_48K = 3;
    static final int RATE_44K = 4;

    final Random random = new Random(42);

    static byte[] annexB(byte[]... nals) {
        byte[][] parts = new byte[nals.length * 2][];
        for (int i = 0; i < nals.length; i++) {
            parts[2 * i] = new byte[] {0, 0, 0, 1};
            parts[2 * i + 1] = nals[i];
        }
        return concat(parts);
    }

    byte[] idr(int size) {
        return Streams.nal(random, size, 0x65);
    }

    byte[] slice(int size) {
        return Streams.nal(random, size, 0x41);
    }

    byte[] keyAu(byte[] idr) {
        return annexB(AUD, SPS, PPS, idr);
    }

    static TsBuilder program() {
        return new TsBuilder().psi(1, PMT, H264, V, AAC, A);
    }

    /** A video PES: unbounded, with PTS = DTS = pts. */
    static TsBuilder video(TsBuilder b, long pts, byte[] annexB) {
        return b.pes(V, 0xE0, pts, -1, annexB, false, false);
    }

    // ---- transport packets

    @Test
    void anAdaptationFieldLongerThanThePacketDropsItAndTheAccessUnit() {
        TsBuilder b = program();
        byte[] first = idr(1000);
        video(b, 0, keyAu(first));
        byte[] bad = new byte[188];
        Arrays.fill(bad, (byte) 0x55);
        bad[0] = 0x47;
        bad[1] = (byte) (V >> 8);
        bad[2] = (byte) V;
        bad[3] = (byte) (0x30 | b.nextCc(V));
        bad[4] = (byte) 190; // adaptation_field_length beyond the 183 bytes left
        b.raw(bad);
        video(b, 3600, annexB(AUD, slice(500)));
        byte[] next = idr(800);
        video(b, 7200, keyAu(next));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.malformedPackets());
        assertEquals(0, c.stats.internalErrors());
        List<MediaFrame> v = c.media(TsToFrames.VIDEO_TRACK);
        // the first access unit was still open (its PES is unbounded): it is lost; the P frame waits; the keyframe is fine
        assertEquals(1, v.size());
        assertEquals(7200, v.get(0).dts());
        assertArrayEquals(Streams.au(next), v.get(0).payload());
        assertEquals(1, c.stats.damagedUnits());
        assertEquals(1, c.stats.droppedBeforeKeyframe());
    }

    @Test
    void aReservedAdaptationFieldControlIsMalformed() {
        TsBuilder b = program();
        b.raw(rawPacket(V, 0x00, b.nextCc(V)));
        video(b, 0, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.malformedPackets());
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());
    }

    @Test
    void continuityJumpsAreCountedButTheDiscontinuityIndicatorAndAdaptationOnlyPacketsAreNot() {
        TsBuilder b = program();
        byte[] pes = TsBuilder.pesBytes(0xE0, 0, -1, keyAu(idr(1000)), false);
        // first packet, then a packet with only an adaptation field (the counter stays), then a jump with the indicator
        b.packet(V, true, -1, Arrays.copyOfRange(pes, 0, 184));
        b.raw(adaptationOnly(V, 0, 0)); // the counter of the packet before
        b.cc(V, 9);
        b.packet(V, false, 0x80, Arrays.copyOfRange(pes, 184, 366));
        b.continuation(V, Arrays.copyOfRange(pes, 366, pes.length));
        // the same PES layout again, with a real jump
        byte[] idr2 = idr(1000);
        byte[] pes2 = TsBuilder.pesBytes(0xE0, 3600, -1, keyAu(idr2), false);
        b.packet(V, true, -1, Arrays.copyOfRange(pes2, 0, 184));
        b.cc(V, b.nextCc(V) + 3);
        b.continuation(V, Arrays.copyOfRange(pes2, 184, pes2.length));
        video(b, 7200, annexB(AUD, slice(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.continuityErrors());
        List<MediaFrame> v = c.media(TsToFrames.VIDEO_TRACK);
        assertEquals(1, v.size(), "the first access unit; the second is cut, the P frame after it waits for a keyframe");
        assertEquals(0, v.get(0).dts());
        assertEquals(1, c.stats.damagedUnits(), c.skips.toString());
    }

    @Test
    void scrambledPacketsAreDroppedAndReportedOnceEachTime() {
        TsBuilder b = program();
        video(b, 0, keyAu(idr(100)));
        for (int i = 0; i < 5; i++) {
            b.raw(scrambled(rawPacket(V, 0x10, b.nextCc(V))));
        }
        video(b, 3600, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(5, c.stats.scrambledPackets());
        assertEquals(1, c.skips(TsToFrames.Skip.DAMAGED), c.skips.toString());
        // the first access unit was open (unbounded PES): the scrambled packets cut it
        assertEquals(List.of(3600L), c.media(TsToFrames.VIDEO_TRACK).stream().map(MediaFrame::dts).toList());
        assertEquals(1, c.stats.damagedUnits());
    }

    @Test
    void transportErrorsAndUnknownPidsAreCounted() {
        TsBuilder b = program();
        byte[] tei = rawPacket(0x1234, 0x10, 0);
        tei[1] |= (byte) 0x80;
        b.raw(tei);
        b.packet(TsDemuxer.NULL_PID, false, -1, new byte[184]);
        b.packet(0x777, true, -1, new byte[184]);
        video(b, 0, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.transportErrors());
        assertEquals(2, c.stats.ignoredPackets());
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());
    }

    // ---- PSI

    @Test
    void aSectionLongerThan1021BytesIsDropped() {
        TsBuilder b = new TsBuilder();
        byte[] huge = TsBuilder.pat(1, new int[300], new int[300]); // 300 entries: section_length 1209
        b.section(0, huge);
        b.psi(1, PMT, H264, V, AAC, A);
        video(b, 0, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.damagedUnits());
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());
        assertTrue(c.skips.get(0).detail().contains("1209"), c.skips.toString());
    }

    @Test
    void aSectionWithABadCrcIsDropped() {
        TsBuilder b = new TsBuilder();
        byte[] pat = TsBuilder.pat(1, new int[] {1}, new int[] {0x30});
        pat[pat.length - 1] ^= 1;
        b.section(0, pat); // would point at PMT PID 0x30
        b.psi(1, PMT, H264, V, AAC, A);
        video(b, 0, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.damagedUnits());
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());
    }

    @Test
    void aPmtWithTooManyStreamsIsReadUpToTheLimit() {
        int[] streams = new int[2 * 150];
        streams[0] = H264;
        streams[1] = V;
        streams[2] = AAC;
        streams[3] = A;
        for (int i = 2; i < 150; i++) {
            streams[2 * i] = 0x06;
            streams[2 * i + 1] = 0x100 + i;
        }
        byte[] pmt = TsBuilder.pmt(1, V, streams); // 150 streams: 5 packets, section_length 763
        TsBuilder b = new TsBuilder();
        for (int repeat = 0; repeat < 3; repeat++) {
            b.section(0, TsBuilder.pat(1, new int[] {1}, new int[] {PMT}));
            b.section(PMT, pmt);
        }
        video(b, 0, keyAu(idr(100)));
        b.pes(A, 0xC0, 0, -1, adts(LC, RATE_48K, 2, new byte[] {1, 2, 3}), true, false);
        for (int i = 2; i < 150; i++) {
            b.packet(0x100 + i, true, -1, new byte[184]);
        }
        Collector c = Collector.whole(b.bytes());
        assertEquals(148, c.stats.ignoredStreams(), "each private stream once, whether over the limit or not");
        assertEquals(148, c.skips(TsToFrames.Skip.UNSUPPORTED));
        assertEquals(148, c.stats.ignoredPackets());
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());
        assertEquals(1, c.media(TsToFrames.AUDIO_TRACK).size());
        long overLimit = c.skips.stream().filter(s -> s.detail().contains("over the limit")).count();
        assertEquals(150 - TsDemuxer.MAX_PROGRAM_STREAMS, overLimit);
    }

    @Test
    void otherStreamsAndProgramsAreReportedOncePerPid() {
        TsBuilder b = new TsBuilder();
        for (int repeat = 0; repeat < 4; repeat++) {
            b.section(0, TsBuilder.pat(1, new int[] {1, 2}, new int[] {PMT, 0x30}));
            b.section(PMT, TsBuilder.pmt(1, V, H264, V, AAC, A, 0x11, 0x43, 0x06, 0x44, H264, 0x45));
            b.section(0x30, TsBuilder.pmt(2, 0x51, H264, 0x51));
        }
        video(b, 0, keyAu(idr(100)));
        b.pes(0x43, 0xC0, 0, -1, new byte[100], true, false);
        b.pes(0x51, 0xE0, 0, -1, keyAu(idr(100)), false, false);
        Collector c = Collector.whole(b.bytes());
        assertEquals(4, c.stats.ignoredStreams(), c.skips.toString()); // LATM, private data, second video, program 2
        assertEquals(4, c.skips(TsToFrames.Skip.UNSUPPORTED));
        assertTrue(c.skips.stream().anyMatch(s -> s.detail().contains("LATM")));
        assertTrue(c.skips.stream().anyMatch(s -> s.detail().contains("program 2")));
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());

        Collector second = new Collector();
        TsToFrames t = new TsToFrames(second, 2);
        byte[] ts = b.bytes();
        t.feed(ts, 0, ts.length);
        t.flush();
        List<MediaFrame> v = second.media(TsToFrames.VIDEO_TRACK);
        assertEquals(1, v.size(), "program 2 has its own video");
        assertTrue(second.skips.stream().anyMatch(s -> s.detail().contains("program 1")));
    }

    // ---- PES

    @Test
    void aPesShorterThanItsHeaderIsDropped() {
        TsBuilder b = program();
        byte[] bad = TsBuilder.pesBytes(0xE0, 0, -1, keyAu(idr(100)), true);
        bad[4] = 0;
        bad[5] = 4; // PES_packet_length 4: not even the 3 flag bytes and the 5-byte PTS
        b.units(V, bad, -1);
        b.units(V, new byte[] {0, 0, 1, (byte) 0xE0, 0, 0, (byte) 0x80}, -1); // cut inside the flags
        video(b, 3600, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(2, c.stats.damagedUnits(), c.skips.toString());
        assertEquals(1, c.media(TsToFrames.VIDEO_TRACK).size());
        assertEquals(3600, c.media(TsToFrames.VIDEO_TRACK).get(0).dts());
    }

    @Test
    void aBoundedPesCutShortIsDropped() {
        TsBuilder b = program();
        byte[] pes = TsBuilder.pesBytes(0xE0, 0, -1, keyAu(idr(1000)), true);
        b.units(V, Arrays.copyOf(pes, 500), -1); // the next unit start comes before PES_packet_length is reached
        video(b, 3600, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.damagedUnits(), c.skips.toString());
        assertEquals(List.of(3600L), c.media(TsToFrames.VIDEO_TRACK).stream().map(MediaFrame::dts).toList());
    }

    @Test
    void anAccessUnitThatNeverEndsIsDroppedAt8MiB() {
        TsBuilder b = program();
        byte[] endless = annexB(AUD, SPS, PPS, idr(TsDemuxer.MAX_PES_BYTES + 1000));
        video(b, 0, endless);
        byte[] next = idr(100);
        video(b, 3600, keyAu(next));
        Collector c = Collector.whole(b.bytes());
        assertEquals(1, c.stats.damagedUnits(), c.skips.toString());
        List<MediaFrame> v = c.media(TsToFrames.VIDEO_TRACK);
        assertEquals(1, v.size());
        assertArrayEquals(Streams.au(next), v.get(0).payload());
    }

    @Test
    void pesPacketsWithoutPtsContinueTheAccessUnitAndMergedUnitsAreBounded() {
        TsBuilder b = program();
        byte[] idr = idr(3000);
        byte[] au = keyAu(idr);
        b.pes(V, 0xE0, 0, -1, Arrays.copyOf(au, 1000), true, true);
        b.pes(V, 0xE0, -1, -1, Arrays.copyOfRange(au, 1000, 2000), true, false);
        b.pes(V, 0xE0, -1, -1, Arrays.copyOfRange(au, 2000, au.length), true, false);
        b.pes(V, 0xE0, 3600, -1, annexB(AUD, slice(50)), true, false);
        // a unit continued by PES packets without PTS past MAX_ACCESS_UNIT_BYTES
        b.pes(V, 0xE0, 7200, -1, annexB(AUD, slice(60_000)), true, false);
        for (int i = 0; i < TsToFrames.MAX_ACCESS_UNIT_BYTES / 60_000 + 1; i++) {
            b.pes(V, 0xE0, -1, -1, new byte[60_000], true, false);
        }
        b.pes(V, 0xE0, 10_800, -1, keyAu(idr(10)), true, false);
        Collector c = Collector.whole(b.bytes());
        List<MediaFrame> v = c.media(TsToFrames.VIDEO_TRACK);
        assertEquals(List.of(0L, 3600L, 10_800L), v.stream().map(MediaFrame::dts).toList());
        assertArrayEquals(Streams.au(idr), v.get(0).payload());
        assertEquals(1, c.stats.damagedUnits(), c.skips.toString());
    }

    @Test
    void aVideoPesWithoutPtsAndNothingToContinueIsDroppedQuietly() {
        TsBuilder b = program();
        b.pes(V, 0xE0, -1, -1, keyAu(idr(100)), true, false); // the rest of a unit that began before we joined
        video(b, 3600, keyAu(idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(0, c.stats.damagedUnits());
        assertEquals(List.of(3600L), c.media(TsToFrames.VIDEO_TRACK).stream().map(MediaFrame::dts).toList());
    }

    @Test
    void tooManyNalUnitsNoStartCodeOrAHugeParameterSetMakeADamagedAccessUnit() {
        TsBuilder b = program();
        byte[][] many = new byte[TsToFrames.MAX_NAL_UNITS + 1][];
        for (int i = 0; i < many.length; i++) {
            many[i] = i == 0 ? SPS : i == 1 ? PPS : slice(3);
        }
        many[2] = idr(3);
        video(b, 0, annexB(many));
        video(b, 3600, new byte[] {0x65, 1, 2, 3}); // no start code
        video(b, 5000, annexB(AUD, Streams.nal(random, TsToFrames.MAX_PARAMETER_SET_BYTES + 1, 0x67), PPS, idr(10)));
        byte[][] sets = new byte[TsToFrames.MAX_PARAMETER_SETS + 2][];
        sets[0] = SPS;
        for (int i = 1; i < sets.length; i++) {
            sets[i] = Streams.nal(random, 8, 0x68); // 33 different PPS
        }
        video(b, 6000, annexB(sets));
        video(b, 7200, keyAu(idr(10)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(4, c.stats.damagedUnits(), c.skips.toString());
        assertEquals(List.of(7200L), c.media(TsToFrames.VIDEO_TRACK).stream().map(MediaFrame::dts).toList());
    }

    @Test
    void threeByteStartCodesTrailingZerosAndFillerAreHandled() {
        TsBuilder b = program();
        byte[] idr = idr(50);
        byte[] sei = bytes("0605010280");
        byte[] au = concat(bytes("000001"), AUD, bytes("00000001"), SPS, bytes("000001"), PPS, bytes("0000"),
                bytes("000001"), sei, bytes("000001 0cffffff80"), bytes("000001"), idr, bytes("000000"));
        video(b, 0, au);
        Collector c = Collector.whole(b.bytes());
        List<MediaFrame> v = c.media(TsToFrames.VIDEO_TRACK);
        assertEquals(1, v.size());
        assertArrayEquals(Streams.au(sei, idr), v.get(0).payload(), "SEI and slice kept, AUD, filler and sets taken out");
        byte[] record = c.configs(TsToFrames.VIDEO_TRACK).get(0).payload();
        assertArrayEquals(Streams.AVC, record, "the record of the in-band SPS and PPS, trailing zeros not included");
    }

    @Test
    void accessUnitsBeforeTheFirstKeyframeOrConfigWait() {
        TsBuilder b = program();
        video(b, 0, annexB(AUD, slice(100)));
        video(b, 3600, annexB(AUD, idr(100))); // a keyframe, but no parameter sets yet
        video(b, 7200, annexB(AUD, SPS, PPS, slice(100))); // the config, but no keyframe
        video(b, 10_800, annexB(AUD, idr(100)));
        Collector c = Collector.whole(b.bytes());
        assertEquals(3, c.stats.droppedBeforeKeyframe());
        assertEquals(List.of(10_800L), c.media(TsToFrames.VIDEO_TRACK).stream().map(MediaFrame::dts).toList());
        assertEquals(7200, c.configs(TsToFrames.VIDEO_TRACK).get(0).dts());
        assertEquals(0, c.stats.damagedUnits());
    }

    // ---- AAC

    @Test
    void adtsFramesSpanPesPacketsAndTakeTheirTimeFromThePesTheyStartIn() {
        byte[][] raw = new byte[5][];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = Streams.nal(random, 100 + i);
        }
        byte[] stream = concat(adts(LC, RATE_48K, 2, raw[0]), adts(LC, RATE_48K, 2, raw[1]),
                adtsWithCrc(raw[2]), adts(LC, RATE_48K, 2, raw[3]), adts(LC, RATE_48K, 2, raw[4]));
        int cut = 7 + 100 + 30; // inside the second frame
        TsBuilder b = program();
        b.pes(A, 0xC0, 1000, -1, Arrays.copyOf(stream, cut), true, false);
        b.pes(A, 0xC0, 9000, -1, Arrays.copyOfRange(stream, cut, stream.length), true, false);
        Collector c = Collector.pieces(b.bytes(), 1, 100);
        List<MediaFrame> a = c.media(TsToFrames.AUDIO_TRACK);
        assertEquals(5, a.size());
        // frames 0 and 1 start in the first PES; 2, 3 and 4 in the second, whose PTS is the time of frame 2
        assertEquals(List.of(1000L, 2920L, 9000L, 10_920L, 12_840L), a.stream().map(MediaFrame::pts).toList());
        for (int i = 0; i < raw.length; i++) {
            assertArrayEquals(raw[i], a.get(i).payload(), "frame " + i + " without header or CRC");
            assertEquals(a.get(i).pts(), a.get(i).dts());
        }
        assertArrayEquals(bytes("1190"), c.configs(TsToFrames.AUDIO_TRACK).get(0).payload());
        assertEquals(1, c.configs(TsToFrames.AUDIO_TRACK).size());
        assertEquals(List.of(), c.skips);
    }

    @Test
    void frameTimesInALongPesDoNotDrift() {
        TsBuilder b = program();
        byte[][] frames = new byte[200][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = adts(LC, RATE_44K, 1, Streams.nal(random, 50));
        }
        long pts = (1L << 33) - 100_000; // and it crosses the wrap
        b.pes(A, 0xC0, pts, -1, concat(frames), true, false);
        Collector c = Collector.whole(b.bytes());
        List<MediaFrame> a = c.media(TsToFrames.AUDIO_TRACK);
        assertEquals(200, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(pts + Math.floorDiv(i * 1024L * 90_000, 44_100), a.get(i).pts(), "frame " + i);
        }
        assertArrayEquals(bytes("1208"), c.configs(TsToFrames.AUDIO_TRACK).get(0).payload());
    }

    @Test
    void adtsGarbageIsSkippedAndUnsupportedFramesAreCounted() {
        TsBuilder b = program();
        byte[] good1 = Streams.nal(random, 80);
        byte[] good2 = Streams.nal(random, 90);
        byte[] good3 = Streams.nal(random, 70);
        byte[] twoBlocks = adts(LC, RATE_48K, 2, Streams.nal(random, 60));
        twoBlocks[6] = (byte) (twoBlocks[6] | 1); // number_of_raw_data_blocks_in_frame 1: two blocks
        byte[] noChannels = adts(LC, RATE_48K, 0, Streams.nal(random, 60));
        byte[] payload = concat(adts(LC, RATE_48K, 2, good1), bytes("0102030405ff00ff11"), adts(LC, RATE_48K, 2, good2),
                twoBlocks, noChannels, adts(LC, RATE_48K, 2, good3));
        b.pes(A, 0xC0, 0, -1, payload, true, false);
        Collector c = Collector.whole(b.bytes());
        List<MediaFrame> a = c.media(TsToFrames.AUDIO_TRACK);
        assertEquals(3, a.size());
        assertArrayEquals(good2, a.get(1).payload());
        // good1 is frame 0 and good2 frame 1; the two-block frame counts 2, the one without channels 1: good3 is frame 4
        assertEquals(List.of(0L, 1920L, 5 * 1920L), a.stream().map(MediaFrame::pts).toList());
        assertEquals(1, c.stats.damagedUnits(), "one sync loss");
        assertEquals(2, c.stats.unsupportedUnits());
        assertEquals(2, c.skips(TsToFrames.Skip.UNSUPPORTED));
    }

    @Test
    void anAudioParameterChangeSendsANewConfigAndALossWaitsForTheNextPts() {
        TsBuilder b = program();
        b.pes(A, 0xC0, 0, -1, adts(LC, RATE_48K, 2, new byte[] {1}), true, false);
        b.pes(A, 0xC0, 1920, -1, adts(LC, RATE_44K, 1, new byte[] {2}), true, false);
        byte[] cut = concat(adts(LC, RATE_44K, 1, new byte[] {3}), adts(LC, RATE_44K, 1, new byte[100]));
        byte[] pes = TsBuilder.pesBytes(0xC0, 5000, -1, cut, true);
        b.packet(A, true, -1, Arrays.copyOf(pes, 30));
        b.cc(A, b.nextCc(A) + 5); // a jump: the rest of the second frame is gone
        b.packet(A, false, -1, Arrays.copyOfRange(pes, 30, pes.length));
        b.pes(A, 0xC0, -1, -1, adts(LC, RATE_44K, 1, new byte[] {4}), true, false); // no PTS: cannot be timed
        b.pes(A, 0xC0, 9000, -1, adts(LC, RATE_44K, 1, new byte[] {5}), true, false);
        Collector c = Collector.whole(b.bytes());
        assertEquals(2, c.configs(TsToFrames.AUDIO_TRACK).size());
        assertEquals(List.of(0L, 1920L, 5000L, 9000L),
                c.media(TsToFrames.AUDIO_TRACK).stream().map(MediaFrame::pts).toList());
        assertEquals(1, c.stats.continuityErrors());
        assertEquals(1, c.stats.damagedUnits(), "the frame cut by the loss");
        assertEquals(1, c.stats.droppedBeforeKeyframe(), "the frame without a time");
    }

    // ---- helpers

    /** An ADTS frame with protection_absent 0: two CRC bytes after the 7-byte header (not checked, only removed). */
    static byte[] adtsWithCrc(byte[] raw) {
        byte[] plain = adts(LC, RATE_48K, 2, concat(new byte[] {0x12, 0x34}, raw));
        plain[1] = (byte) 0xF0;
        return plain;
    }

    static byte[] rawPacket(int pid, int adaptationControlBits, int cc) {
        byte[] p = new byte[188];
        Arrays.fill(p, (byte) 0x33);
        p[0] = 0x47;
        p[1] = (byte) (pid >> 8 & 0x1F);
        p[2] = (byte) pid;
        p[3] = (byte) (adaptationControlBits | cc & 0x0F);
        return p;
    }

    static byte[] scrambled(byte[] packet) {
        packet[3] |= (byte) 0x80;
        return packet;
    }

    /** A packet with an adaptation field and no payload (its counter does not advance). */
    static byte[] adaptationOnly(int pid, int cc, int flags) {
        byte[] p = rawPacket(pid, 0x20, cc);
        p[4] = (byte) 183;
        p[5] = (byte) flags;
        Arrays.fill(p, 6, 188, (byte) 0xFF);
        return p;
    }
}
