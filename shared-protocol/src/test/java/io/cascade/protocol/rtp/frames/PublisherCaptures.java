package io.cascade.protocol.rtp.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.MediaFrame;
import io.cascade.protocol.rtp.RtpCaptures;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SessionDescription;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The publisher captures of {@code src/test/resources/io/cascade/protocol/rtp/captures/} ({@code *.rtpx} with their
 * {@code .sdp}; make-publisher-captures.sh there made them and says how): an ffmpeg RTP session of a video and an audio
 * stream, every datagram in arrival order in RTSP interleaved framing ('$', channel, 16-bit length, datagram), channel 0
 * video RTP, 1 video RTCP, 2 audio RTP, 3 audio RTCP. And a sink that keeps everything.
 */
final class PublisherCaptures {
    private PublisherCaptures() {
    }

    /** One datagram: channel / 2 is the media section, channel % 2 == 1 for RTCP. */
    record Chunk(int channel, byte[] data) {
        int track() {
            return channel / 2;
        }

        boolean rtcp() {
            return channel % 2 == 1;
        }
    }

    static List<Chunk> chunks(String name) {
        byte[] all = resource(name + ".rtpx");
        List<Chunk> out = new ArrayList<>();
        int p = 0;
        while (p < all.length) {
            assertEquals('$', all[p]);
            int n = (all[p + 2] & 0xFF) << 8 | (all[p + 3] & 0xFF);
            out.add(new Chunk(all[p + 1], Arrays.copyOfRange(all, p + 4, p + 4 + n)));
            p += 4 + n;
        }
        return out;
    }

    /** The capture in its framing, as the fuzz test reads it. */
    static byte[] framed(List<Chunk> chunks) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Chunk c : chunks) {
            out.write('$');
            out.write(c.channel());
            out.write(c.data().length >> 8);
            out.write(c.data().length);
            out.write(c.data(), 0, c.data().length);
        }
        return out.toByteArray();
    }

    static String sdp(String name) {
        return RtpCaptures.text(name + ".sdp");
    }

    /** The tracks of an SDP text (the captures' SDPs have the video section first, then the audio one). */
    static List<RtpToFrames.Track> tracks(String sdp) {
        try {
            return RtpToFrames.tracksFromSdp(SessionDescription.parse(sdp)).stream()
                    .filter(RtpToFrames.AnnouncedTrack::supported).map(RtpToFrames.AnnouncedTrack::track).toList();
        } catch (SdpException e) {
            throw new AssertionError(e);
        }
    }

    /** Every chunk through a new converter, then flush. */
    static Collector run(String sdp, List<Chunk> chunks, boolean reorder, long rtcpWaitMillis) {
        Collector c = new Collector();
        RtpToFrames r = new RtpToFrames(tracks(sdp), reorder, rtcpWaitMillis, c);
        for (Chunk k : chunks) {
            if (k.rtcp()) {
                r.rtcp(k.track(), k.data(), 0, k.data().length);
            } else {
                r.rtp(k.track(), k.data(), 0, k.data().length);
            }
        }
        r.flush();
        c.stats = r.stats();
        c.inputErrors = r.inputErrors();
        c.originEpochMillis = r.originEpochMillis();
        return c;
    }

    static byte[] resource(String file) {
        try (InputStream in = PublisherCaptures.class.getResourceAsStream("/io/cascade/protocol/rtp/captures/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sink that keeps everything and checks what must hold of every run: sequence, timescale, dts order. */
    static class Collector implements RtpToFrames.Sink {
        record Skipped(RtpToFrames.Skip why, String detail) {
        }

        final List<MediaFrame> frames = new ArrayList<>();
        final List<Skipped> skips = new ArrayList<>();
        final long[] lastDts = {Long.MIN_VALUE, Long.MIN_VALUE};
        RtpToFrames.Stats stats;
        long inputErrors;
        long originEpochMillis;

        @Override
        public void frame(MediaFrame f) {
            if (!frames.isEmpty()) {
                assertTrue(f.sequence() > frames.get(frames.size() - 1).sequence(), "sequence increases");
            }
            assertEquals(RtpToFrames.TIMESCALE, f.timescale());
            assertTrue(f.dts() >= lastDts[f.track()], "dts monotonic: " + f);
            assertTrue(f.dts() <= f.pts(), "dts <= pts: " + f);
            lastDts[f.track()] = f.dts();
            frames.add(f);
        }

        @Override
        public void skipped(RtpToFrames.Skip why, String detail) {
            skips.add(new Skipped(why, detail));
        }

        List<MediaFrame> media(int track) {
            return frames.stream().filter(f -> f.track() == track && !f.isConfig()).toList();
        }

        List<MediaFrame> configs(int track) {
            return frames.stream().filter(f -> f.track() == track && f.isConfig()).toList();
        }

        long skips(RtpToFrames.Skip why) {
            return skips.stream().filter(s -> s.why() == why).count();
        }
    }
}
