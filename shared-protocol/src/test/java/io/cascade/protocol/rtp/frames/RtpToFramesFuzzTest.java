package io.cascade.protocol.rtp.frames;

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
import io.cascade.testing.FuzzSeeds;
import io.cascade.protocol.rtp.frames.PublisherCaptures.Chunk;
import io.cascade.protocol.rtp.payload.Depacketizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Jazzer fuzz target for the whole RTP ingest path: arbitrary packets go into an RtpToFrames, and what comes out must be
 * frames and skips within the limits, with monotonic decode times never after the presentation times; any exception is a
 * finding. An input is one options byte (bit 0: UDP with reordering; bit 1: the H.265 session, else H.264; bits 2-3: the
 * sender report wait, 0, 100, 1000 or 5000 ms) then packets in RTSP interleaved framing ('$', channel, 16-bit length,
 * bytes; channel / 2 is the track, odd channels RTCP, so channels past 3 are bad track numbers). In a plain build it
 * replays the committed seeds in {@code src/test/resources/io/cascade/protocol/rtp/frames/RtpToFramesFuzzTestInputs/feed/}
 * ({@link #seeds()}; regenerate with {@code -Dcascade.writeFuzzSeeds=true}), their truncations and mutations.
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
class RtpToFramesFuzzTest {
    private static final Path SEED_DIR =
            Path.of("src/test/resources/io/cascade/protocol/rtp/frames/RtpToFramesFuzzTestInputs");
    private static final long[] WAITS = {0, 100, 1000, 5000};
    private static final String H264_SDP = PublisherCaptures.sdp("x264_default");
    private static final String H265_SDP = PublisherCaptures.sdp("x265_default");
    /** Chunks of each capture in a seed: its reports, parameter sets, the first keyframe and some B-frames. */
    private static final int HEAD_CHUNKS = 24;

    @FuzzTest(maxDuration = "10s")
    void feed(byte[] data) {
        run(data);
    }

    static void run(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int options = data[0] & 0xFF;
        Checker sink = new Checker();
        RtpToFrames r = new RtpToFrames(PublisherCaptures.tracks((options & 2) != 0 ? H265_SDP : H264_SDP),
                (options & 1) != 0, WAITS[options >> 2 & 3], sink);
        int p = 1;
        while (p < data.length) {
            if (data[p] != '$' || data.length - p < 4) {
                p++; // out of step: look for the next frame, as an RTSP reader does
                continue;
            }
            int channel = data[p + 1] & 0xFF;
            int n = Math.min((data[p + 2] & 0xFF) << 8 | (data[p + 3] & 0xFF), data.length - p - 4);
            if (channel % 2 == 1) {
                r.rtcp(channel / 2, data, p + 4, n);
            } else {
                r.rtp(channel / 2, data, p + 4, n);
            }
            p += 4 + n;
        }
        r.flush();
        RtpToFrames.Stats s = r.stats();
        assertEquals(0, s.internalErrors(), "no bug caught inside");
        assertEquals(s.videoFrames() + s.audioFrames() + s.configFrames(), sink.frames);
        assertTrue(r.inputErrors() >= s.malformedPackets() + s.malformedRtcp() + s.badTracks());
    }

    /** Checks every frame as it comes: track and codec, order, timestamps, payload within the limits and well formed. */
    private static final class Checker implements RtpToFrames.Sink {
        long frames;
        long lastSequence = -1;
        final long[] lastDts = {Long.MIN_VALUE, Long.MIN_VALUE};
        final boolean[] configured = new boolean[2];

        @Override
        public void frame(MediaFrame f) {
            frames++;
            assertTrue(f.sequence() > lastSequence);
            lastSequence = f.sequence();
            assertEquals(RtpToFrames.TIMESCALE, f.timescale());
            assertTrue(f.dts() >= lastDts[f.track()], "dts monotonic");
            assertTrue(f.dts() <= f.pts(), "dts <= pts");
            lastDts[f.track()] = f.dts();
            byte[] b = f.payload();
            assertTrue(b.length > 0);
            if (f.track() == RtpToFrames.VIDEO_TRACK) {
                assertTrue(f.codec() == Codec.H264 || f.codec() == Codec.H265);
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
                    assertTrue(b.length <= Depacketizer.MAX_ACCESS_UNIT_LENGTH);
                    int[] covered = {0};
                    NalUnits.visit(b, (off, len) -> covered[0] += 4 + len);
                    assertEquals(b.length, covered[0], "NAL lengths tile the access unit");
                }
            } else {
                assertEquals(RtpToFrames.AUDIO_TRACK, f.track());
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
                }
            }
        }

        @Override
        public void skipped(RtpToFrames.Skip why, String detail) {
            assertNotNull(why);
            assertNotNull(detail);
        }
    }

    private static byte[] seed(int options, List<Chunk> chunks) {
        byte[] framed = PublisherCaptures.framed(chunks);
        byte[] out = new byte[framed.length + 1];
        out[0] = (byte) options;
        System.arraycopy(framed, 0, out, 1, framed.length);
        return out;
    }

    /** Seed file name -> bytes: the head of each capture over TCP and UDP, and a damaged one. */
    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("ffmpeg_x264_head_tcp_no_wait", seed(0, PublisherCaptures.chunks("x264_default").subList(0, HEAD_CHUNKS)));
        m.put("ffmpeg_x265_head_udp_wait_100", seed(2 | 1 | 1 << 2,
                PublisherCaptures.chunks("x265_default").subList(0, HEAD_CHUNKS)));
        List<Chunk> damaged = new ArrayList<>(PublisherCaptures.chunks("x264_bf2").subList(0, HEAD_CHUNKS));
        damaged.remove(8); // a loss
        Chunk a = damaged.get(12);
        damaged.set(12, damaged.get(13)); // a swap
        damaged.set(13, a);
        damaged.add(15, damaged.get(14)); // a repeat
        damaged.add(3, new Chunk(9, new byte[] {(byte) 0x80, 96, 0, 1})); // a bad track
        damaged.add(4, new Chunk(1, new byte[] {(byte) 0x81, (byte) 200, 0, 40})); // an RTCP length beyond the packet
        byte[] wrongType = damaged.get(6).data().clone();
        wrongType[1] = 100;
        damaged.add(7, new Chunk(0, wrongType));
        m.put("ffmpeg_x264_bf2_loss_swap_repeat_bad_track_udp_wait_1000", seed(1 | 2 << 2, damaged));
        return Map.of("feed", m);
    }

    /** Every seed, its truncations and a few hundred mutations: the fuzz body in a plain build. */
    @Test
    void seedsTheirTruncationsAndMutationsPass() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("feed", RtpToFramesFuzzTest::run), 200);
        Random r = new Random(2024);
        for (byte[] seed : seeds().get("feed").values()) {
            FuzzSeeds.mutate(seed, r, 150, RtpToFramesFuzzTest::run);
        }
    }

    @Test
    void emptyAndTinyInputs() {
        run(new byte[0]);
        run(new byte[] {3});
        run(new byte[] {1, '$', 0, 0, 0});
        run(new byte[] {0, '$', 0, (byte) 0xFF, (byte) 0xFF});
        byte[] dollars = new byte[100];
        Arrays.fill(dollars, (byte) '$');
        run(dollars);
    }

    /** The committed Jazzer seed files are exactly {@link #seeds()} (regenerate with -Dcascade.writeFuzzSeeds=true). */
    @Test
    void committedSeedFilesMatch() throws IOException {
        for (byte[] seed : seeds().get("feed").values()) {
            assertTrue(seed.length < 16_000, "seeds stay small: " + seed.length);
        }
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
