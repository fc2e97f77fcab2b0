package io.cascade.protocol.rtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Packets captured from real senders, committed under {@code src/test/resources/io/cascade/protocol/rtp/captures/}. Each
 * {@code .rtp} / {@code .bin} file is the datagrams one after another, each as a 16-bit big-endian length then the bytes.
 * They were recorded once with a small Python UDP socket on 127.0.0.1 that wrote every datagram it received, while the
 * sender below ran (ffmpeg 5.1 and GStreamer 1.22 of Debian 12), and the {@code .sdp} files are what ffmpeg's
 * {@code -sdp_file} printed:
 * <ul>
 * <li>{@code h264.rtp}: {@code ffmpeg -f lavfi -i testsrc=size=128x96:rate=25 -frames:v 4 -pix_fmt yuv420p -c:v libx264
 * -preset veryfast -profile:v high -g 3 -bf 0 -pkt_size 400 -f rtp rtp://127.0.0.1:P}: parameter sets in band in a
 * STAP-A, SEI and IDR slices in FU-A, P slices as single NAL units (13 packets, 4 access units).</li>
 * <li>{@code h264gh.rtp} / {@code .sdp}: same source, {@code -profile:v main -frames:v 2 -flags +global_header}, default
 * packet size: sprop-parameter-sets in the SDP, single NAL unit packets.</li>
 * <li>{@code h265.rtp}: {@code -c:v libx265 -x265-params keyint=3 -bf 0 -pkt_size 400}: VPS/SPS/PPS/SEI in an AP, IDR in
 * FUs (24 packets, 4 access units).</li>
 * <li>{@code h265gh.rtp} / {@code .sdp}: libx265 with {@code -flags +global_header}: sprop-vps/sps/pps in the SDP.</li>
 * <li>{@code aac.rtp} / {@code .sdp}: {@code -f lavfi -i sine=frequency=440:sample_rate=48000 -t 0.15 -c:a aac -ac 2 -b:a
 * 96k}: one mpeg4-generic packet with several AU headers.</li>
 * <li>{@code aacfrag.rtp} / {@code .sdp}: 44.1 kHz mono at 128k with {@code -pkt_size 120}: every frame split over
 * packets.</li>
 * <li>{@code latm.rtp} / {@code .sdp}: as aac.rtp with {@code -rtpflags latm}: MP4A-LATM, cpresent=0.</li>
 * <li>{@code gstlatm.rtp}: GStreamer {@code audiotestsrc num-buffers=6 ! audio/x-raw,rate=44100,channels=1 ! avenc_aac !
 * rtpmp4apay ! udpsink}; its caps gave config=40002410adca00.</li>
 * <li>{@code gst_rtcp_sr.bin}: the RTCP of GStreamer's rtpbin sending AAC (rtpmp4gpay): SR+SDES, then SR+SDES+BYE at the
 * end; {@code gst_rtcp_rr.bin}: the RTCP of a receiving rtpbin: RR+SDES.</li>
 * </ul>
 * The publisher sessions beside them ({@code *.rtpx}, video and audio with their RTCP, in RTSP interleaved framing) are
 * read by {@code io.cascade.protocol.rtp.frames.PublisherCaptures}; {@code make-publisher-captures.sh} made them.
 */
public final class RtpCaptures {
    private RtpCaptures() {
    }

    public static List<byte[]> datagrams(String file) {
        byte[] all = resource(file);
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        while (p < all.length) {
            int n = (all[p] & 0xFF) << 8 | (all[p + 1] & 0xFF);
            out.add(java.util.Arrays.copyOfRange(all, p + 2, p + 2 + n));
            p += 2 + n;
        }
        return out;
    }

    public static List<RtpPacket> packets(String file) {
        List<RtpPacket> out = new ArrayList<>();
        for (byte[] d : datagrams(file)) {
            try {
                out.add(RtpPacket.parse(d));
            } catch (RtpException e) {
                throw new AssertionError(file + ": " + e.getMessage());
            }
        }
        return out;
    }

    public static String text(String file) {
        return new String(resource(file), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String file) {
        try (InputStream in = RtpCaptures.class.getResourceAsStream("/io/cascade/protocol/rtp/captures/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
