package io.cascade.protocol.rtsp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What real RTSP clients sent, byte for byte, committed under {@code src/test/resources/io/cascade/protocol/rtsp/captures/}.
 * Recorded once with a small Python TCP server on 127.0.0.1 that wrote every byte a connection received to a file and
 * answered each request with a canned 200 (Public on OPTIONS, an H.264 + PCMU SDP on DESCRIBE, the client's first
 * Transport with server_port or interleaved added on SETUP, Session 12345678;timeout=4), while ffmpeg 5.1 (Lavf59.27.100)
 * and GStreamer 1.22 of Debian 12 ran against it:
 * <ul>
 * <li>{@code ffpub_tcp.bin}: {@code ffmpeg -re -f lavfi -i testsrc2=size=64x48:rate=5 -f lavfi -i sine=r=8000 -t 1
 * -c:v libx264 -g 5 -c:a pcm_mulaw -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:5544/live/test}: OPTIONS, ANNOUNCE with
 * SDP, two SETUPs (interleaved 0-1 and 2-3, mode=record), RECORD with Range, RTP and RTCP frames, TEARDOWN right after the
 * last frame.</li>
 * <li>{@code ffpub_udp.bin}: the same publishing video only over UDP: SETUP with client_port and mode=record.</li>
 * <li>{@code ffplay_tcp.bin} / {@code ffplay_udp.bin}: {@code ffmpeg -rtsp_transport tcp|udp -i rtsp://... -f null -},
 * stopped with SIGINT: OPTIONS, DESCRIBE, two SETUPs, PLAY with Range, TEARDOWN.</li>
 * <li>{@code gstplay_tcp.bin} / {@code gstplay_udp.bin}: {@code gst-launch-1.0 rtspsrc location=rtsp://...
 * protocols=tcp|udp ! fakesink}: an OPTIONS with RealMedia headers (two User-Agent), DESCRIBE, SETUPs, PLAY, and over UDP
 * GET_PARAMETER keep-alive, PAUSE and TEARDOWN.</li>
 * <li>{@code gstpub.bin}: {@code gst-launch-1.0 audiotestsrc num-buffers=20 ! mulawenc ! rtspclientsink
 * location=rtsp://... protocols=tcp}: ANNOUNCE, SETUP with mode=RECORD, RECORD, PCMU frames, PAUSE and TEARDOWN.</li>
 * </ul>
 */
final class RtspCaptures {
    static final List<String> ALL = List.of("ffpub_tcp.bin", "ffpub_udp.bin", "ffplay_tcp.bin", "ffplay_udp.bin",
            "gstplay_tcp.bin", "gstplay_udp.bin", "gstpub.bin");

    private RtspCaptures() {
    }

    static byte[] bytes(String file) {
        try (InputStream in = RtspCaptures.class.getResourceAsStream("/io/cascade/protocol/rtsp/captures/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An interleaved frame as the recorder keeps it: a copy, since the decoder's data is valid only during the call. */
    record Frame(int channel, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.channel == channel && Arrays.equals(f.data, data);
        }

        @Override
        public int hashCode() {
            return channel * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Frame{" + channel + ", " + data.length + " bytes}";
        }
    }

    /** Keeps every request, response and frame (copied) in order, and the error that ended the input, if one did. */
    static class Recorder implements RtspDecoder.Handler {
        final List<Object> events = new ArrayList<>();
        RtspException error;

        @Override
        public void request(RtspRequest request) {
            events.add(request);
        }

        @Override
        public void response(RtspResponse response) {
            events.add(response);
        }

        @Override
        public void interleaved(int channel, byte[] data, int offset, int length) {
            events.add(new Frame(channel, Arrays.copyOfRange(data, offset, offset + length)));
        }

        List<RtspRequest> requests() {
            return events.stream().filter(e -> e instanceof RtspRequest).map(e -> (RtspRequest) e).toList();
        }

        List<Frame> frames() {
            return events.stream().filter(e -> e instanceof Frame).map(e -> (Frame) e).toList();
        }

        /** The status of the error, or 0 when the input decoded cleanly. */
        int status() {
            return error == null ? 0 : error.status();
        }
    }

    /** Decodes {@code data} fed in pieces ending at each of {@code cuts} (ascending, inside the data), then the rest. */
    static Recorder decode(byte[] data, int... cuts) {
        RtspDecoder d = new RtspDecoder();
        Recorder r = new Recorder();
        int from = 0;
        try {
            for (int cut : cuts) {
                d.feed(data, from, cut - from, r);
                check(d);
                from = cut;
            }
            d.feed(data, from, data.length - from, r);
            check(d);
        } catch (RtspException e) {
            r.error = e;
        }
        return r;
    }

    /** Decodes {@code data} one byte at a time, each byte in an array of its own. */
    static Recorder decodeBytewise(byte[] data) {
        RtspDecoder d = new RtspDecoder();
        Recorder r = new Recorder();
        try {
            for (byte b : data) {
                d.feed(new byte[] {b}, 0, 1, r);
                check(d);
            }
        } catch (RtspException e) {
            r.error = e;
        }
        return r;
    }

    private static void check(RtspDecoder d) {
        if (d.bytesBuffered() < 0 || d.bytesBuffered() > RtspDecoder.MAX_BUFFERED) {
            throw new AssertionError("decoder holds " + d.bytesBuffered() + " bytes");
        }
    }
}
