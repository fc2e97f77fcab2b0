package io.cascade.protocol.ts.frames;

import io.cascade.testing.FuzzSeeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AudioSpecificConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.BitstreamException;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.h265.HevcDecoderConfig;
import io.cascade.protocol.ts.TsBuilder;
import io.cascade.protocol.ts.TsDemuxer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz target for the whole MPEG-TS path: arbitrary bytes go into a TsToFrames in pieces chosen by the data itself,
 * and what comes out must be frames and skips within the limits; any exception is a finding. In a plain build it replays
 * the committed seeds in {@code src/test/resources/io/cascade/protocol/ts/frames/TsToFramesFuzzTestInputs/feed/}: the
 * first 40 packets of each real capture and a hand-built damaged stream, each with one byte appended that picks the
 * split ({@link #seeds()}; regenerate with {@code -Dcascade.writeFuzzSeeds=true}). {@code JAZZER_FUZZ=1} fuzzes.
 */
class TsToFramesFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/ts/frames/TsToFramesFuzzTestInputs");
    private static final int HEAD_PACKETS = 40;

    @FuzzTest(maxDuration = "10s")
    void feed(byte[] data) {
        run(data);
    }

    /**
     * The fuzz body. The last byte m picks how the data is cut: m % 4 = 0 one piece, 1 datagrams of 1316 bytes, 2 pieces of
     * (m / 4 % 16) + 1 bytes, 3 pieces whose sizes are read from the data; bit 0x40 calls discontinuity() halfway.
     */
    static void run(byte[] data) {
        Checker sink = new Checker();
        TsToFrames t = new TsToFrames(sink);
        int m = data.length == 0 ? 0 : data[data.length - 1] & 0xFF;
        int half = data.length / 2;
        boolean discontinuity = (m & 0x40) != 0;
        int p = 0;
        int i = 0;
        while (p < data.length) {
            int n = switch (m % 4) {
                case 0 -> data.length;
                case 1 -> 1316;
                case 2 -> m / 4 % 16 + 1;
                default -> (data[i++ % data.length] & 0xFF) * 8 + 1;
            };
            n = Math.min(n, data.length - p);
            if (discontinuity && p <= half && p + n > half) {
                t.feed(data, p, half - p);
                t.discontinuity();
                n = p + n - half;
                p = half;
            }
            t.feed(data, p, n);
            p += n;
            assertTrue(t.bufferedCapacity() <= TsToFrames.MAX_ACCESS_UNIT_BYTES);
        }
        t.flush();
        TsToFrames.Stats s = t.stats();
        assertEquals(0, s.internalErrors(), "no bug caught inside feed");
        assertEquals(data.length, s.bytes());
        assertTrue(s.packets() <= data.length / 188);
        assertTrue(s.skippedBytes() <= data.length);
        assertEquals(s.videoFrames() + s.audioFrames() + s.configFrames(), sink.frames);
        assertTrue(s.videoFrames() <= s.pesPackets() && s.syncLosses() <= s.packets() + 1);
    }

    /** Checks every frame as it comes: valid track and codec, payload within the limits and well formed. */
    private static final class Checker implements TsToFrames.Sink {
        long frames;
        long lastSequence = -1;
        final boolean[] configured = new boolean[2];

        @Override
        public void frame(MediaFrame f) {
            frames++;
            assertTrue(f.sequence() > lastSequence);
            lastSequence = f.sequence();
            assertEquals(TsToFrames.TIMESCALE, f.timescale());
            assertEquals(0, f.segmentIndex());
            byte[] b = f.payload();
            assertTrue(b.length > 0);
            if (f.track() == TsToFrames.VIDEO_TRACK) {
                assertTrue(f.codec() == Codec.H264 || f.codec() == Codec.H265);
                assertTrue(b.length <= TsToFrames.MAX_ACCESS_UNIT_BYTES);
                if (f.isConfig()) {
                    configured[0] = true;
                    try {
                        if (f.codec() == Codec.H264) {
                            assertEquals(4, AvcDecoderConfig.parse(b, 0, b.length).nalLengthSize());
                        } else {
                            assertEquals(4, HevcDecoderConfig.parse(b, 0, b.length).nalLengthSize());
                        }
                    } catch (BitstreamException e) {
                        throw new AssertionError("unreadable video config " + f, e);
                    }
                } else {
                    assertTrue(configured[0], "no access unit before its config");
                    int[] covered = {0, 0};
                    NalUnits.visit(b, (off, len) -> {
                        covered[0] += 4 + len;
                        covered[1]++;
                    });
                    assertEquals(b.length, covered[0], "NAL lengths tile the access unit");
                    assertTrue(covered[1] <= TsToFrames.MAX_NAL_UNITS);
                }
            } else {
                assertEquals(TsToFrames.AUDIO_TRACK, f.track());
                assertEquals(Codec.AAC, f.codec());
                assertEquals(f.dts(), f.pts());
                if (f.isConfig()) {
                    configured[1] = true;
                    try {
                        AudioSpecificConfig.parse(b, 0, b.length);
                    } catch (BitstreamException e) {
                        throw new AssertionError("unreadable AudioSpecificConfig " + f, e);
                    }
                } else {
                    assertTrue(configured[1], "no AAC frame before its config");
                    assertTrue(b.length < TsToFrames.MAX_ADTS_FRAME);
                }
            }
        }

        @Override
        public void skipped(TsToFrames.Skip why, String detail) {
            assertNotNull(why);
            assertNotNull(detail);
        }
    }

    /** Seed file name -> bytes: the head of each capture and a damaged hand-built stream, each with a split byte. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("ffmpeg_h264_aac_head_datagrams", head("ffmpeg_h264_aac.ts", 0x01));
        m.put("ffmpeg_h265_aac_head_pieces_from_data", head("ffmpeg_h265_aac.ts", 0x03));
        m.put("gst_h264_aac_head_pieces_of_7_discontinuity", head("gst_h264_aac.ts", 0x40 | 6 << 2 | 2));
        m.put("hand_built_damage_one_piece", TsBuilder.concat(damaged(), new byte[] {0}));
        return m;
    }

    private static byte[] head(String capture, int splitByte) {
        byte[] ts = Collector.resource("captures/" + capture);
        byte[] seed = Arrays.copyOf(ts, HEAD_PACKETS * 188 + 1);
        seed[seed.length - 1] = (byte) splitByte;
        return seed;
    }

    /** A little of everything the catalogue tests: LATM, a cut PES, a counter jump, ADTS across PES packets, garbage. */
    static byte[] damaged() {
        Random r = new Random(1);
        TsBuilder b = new TsBuilder().psi(1, 0x20, 0x1B, 0x41, 0x0F, 0x42, 0x11, 0x43);
        byte[] key = TsToFramesDamageTest.annexB(TsToFramesDamageTest.AUD, TsToFramesDamageTest.SPS,
                TsToFramesDamageTest.PPS, Streams.nal(r, 300, 0x65));
        b.pes(0x41, 0xE0, 0, -1, key, false, true);
        byte[] audio = TsBuilder.concat(TsBuilder.adts(1, 3, 2, Streams.nal(r, 90)), TsBuilder.adts(1, 3, 2, Streams.nal(r, 90)));
        b.pes(0x42, 0xC0, 0, -1, Arrays.copyOf(audio, 120), true, false);
        b.pes(0x42, 0xC0, 3840, -1, Arrays.copyOfRange(audio, 120, audio.length), true, false);
        b.pes(0x43, 0xC0, 0, -1, new byte[50], true, false);
        b.pes(0x41, 0xE0, 3600, 0, TsToFramesDamageTest.annexB(Streams.nal(r, 400, 0x41)), true, false);
        b.raw(new byte[] {0x47, 1, 2, 3, 4, 5});
        b.cc(0x41, 9);
        b.pes(0x41, 0xE0, 7200, 3600, key, false, true);
        return b.bytes();
    }

    /** Every seed, every 37th truncation of it, and a few hundred mutations: the fuzz body in a plain build. */
    @Test
    void seedsTheirTruncationsAndMutationsPass() {
        Random r = new Random(2024);
        for (byte[] seed : seeds().values()) {
            run(seed);
            for (int n = 0; n < seed.length; n += 37) {
                run(Arrays.copyOf(seed, n));
            }
            FuzzSeeds.mutate(seed, r, 150, TsToFramesFuzzTest::run);
        }
    }

    @Test
    void emptyAndTinyInputs() {
        run(new byte[0]);
        run(new byte[] {0x47});
        byte[] syncs = new byte[188 * 5];
        Arrays.fill(syncs, (byte) 0x47);
        run(syncs);
        byte[] nulls = new byte[188 * 4];
        for (int i = 0; i < 4; i++) {
            nulls[i * 188] = 0x47;
            nulls[i * 188 + 1] = 0x1F;
            nulls[i * 188 + 2] = (byte) 0xFF;
            nulls[i * 188 + 3] = 0x10;
        }
        run(nulls);
        assertEquals(TsDemuxer.NULL_PID, 0x1FFF);
    }

    /** The committed Jazzer seed files are {@link #seeds()}, plus findings (regenerate: -Dcascade.writeFuzzSeeds=true). */
    @Test
    void committedSeedFilesMatch() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, Map.of("feed", seeds()));
        for (byte[] seed : seeds().values()) {
            assertTrue(seed.length < 16_000, "seeds stay small");
        }
        for (byte[] finding : FuzzSeeds.findings(SEED_DIR.resolve("feed")).values()) {
            run(finding); // committed findings replay here too, not only in Jazzer's regression run
        }
    }
}
