package io.cascade.protocol.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.protocol.aac.StreamMuxConfig;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.NalUnits;
import io.cascade.protocol.rtp.payload.AacHbrDepacketizer;
import io.cascade.protocol.rtp.payload.AccessUnit;
import io.cascade.protocol.rtp.payload.Depacketizer;
import io.cascade.protocol.rtp.payload.H264Depacketizer;
import io.cascade.protocol.rtp.payload.H265Depacketizer;
import io.cascade.protocol.rtp.payload.LatmDepacketizer;
import io.cascade.protocol.sdp.MediaDescription;
import io.cascade.protocol.sdp.RtpMap;
import io.cascade.protocol.sdp.SdpFormats;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-client check against a second RTP implementation: GStreamer's payloaders (rtph264pay, rtph265pay, rtpmp4gpay,
 * rtpmp4apay) send a clip ffmpeg encoded (H.264 with B-frames) to our depacketizers, and GStreamer's depayloaders and
 * libav decoders play what FramesToRtp sends, configured only from the format parameters SdpFormats writes.
 * deploy/bin/test installs GStreamer with the good, bad and libav plugins.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RtpGStreamerIT {
    private static final int VIDEO_FRAMES = 50;
    private static final Pattern CAPS_FIELD = Pattern.compile("(\\w[\\w-]*)=\\(string\\)\"?([^,\"]+)");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTools() {
        assertTrue(UdpLoopback.installed("ffmpeg", "-version") && UdpLoopback.installed("gst-launch-1.0", "--version"),
                "ffmpeg or GStreamer not installed: deploy/bin/test installs every real client");
    }

    @Test
    void h264BothWays() throws Exception {
        Path clip = encode("clip.mp4", "-c:v", "libx264", "-g", "25"); // libx264's default B-frames
        Sent sent = gstSend(clip, "h264parse ! rtph264pay pt=96 config-interval=-1 mtu=700");
        List<AccessUnit> units = depacketize(new H264Depacketizer(), sent.packets());
        assertEquals(VIDEO_FRAMES, units.size());
        assertTrue(units.get(0).keyframe());
        assertEquals(2, units.stream().filter(AccessUnit::keyframe).count());
        assertTrue(outOfOrder(units), "B-frames: presentation times out of decode order");
        // the SPS/PPS GStreamer announces in its caps are the ones it sends in band
        AvcDecoderConfig config = SdpFormats.h264Config(Map.of("sprop-parameter-sets",
                sent.caps().get("sprop-parameter-sets").replace("\\", "")));
        assertTrue(contains(units.get(0).data(), config.sps().get(0)));
        play(Codec.H264, config.encode(), units, "rtph264depay ! h264parse ! avdec_h264", VIDEO_FRAMES);
    }

    @Test
    void h265BothWays() throws Exception {
        Path clip = encode("clip265.mp4", "-c:v", "libx265", "-x265-params", "log-level=error:keyint=25", "-tag:v", "hvc1");
        Sent sent = gstSend(clip, "h265parse ! rtph265pay pt=96 config-interval=-1 mtu=700");
        List<AccessUnit> units = depacketize(new H265Depacketizer(), sent.packets());
        assertEquals(VIDEO_FRAMES, units.size());
        assertTrue(units.get(0).keyframe());
        byte[] first = units.get(0).data();
        List<byte[]> vps = new ArrayList<>();
        List<byte[]> sps = new ArrayList<>();
        List<byte[]> pps = new ArrayList<>();
        NalUnits.visit(first, (off, len) -> {
            int type = NalUnits.h265Type(first[off]);
            List<byte[]> target = type == 32 ? vps : type == 33 ? sps : type == 34 ? pps : null;
            if (target != null) {
                target.add(Arrays.copyOfRange(first, off, off + len));
            }
        });
        byte[] record = io.cascade.protocol.h265.HevcDecoderConfig.fromParameterSets(vps, sps, pps).encode();
        play(Codec.H265, record, units, "rtph265depay ! h265parse ! avdec_h265", VIDEO_FRAMES);
    }

    @Test
    void aacMpeg4GenericBothWays() throws Exception {
        Path clip = encode("audio.m4a", "-vn");
        Sent sent = gstSend(clip, "aacparse ! rtpmp4gpay pt=97");
        Map<String, String> caps = sent.caps();
        assertEquals("AAC-hbr", caps.get("mode"));
        Depacketizer d = AacHbrDepacketizer.fromFormatParameters(caps);
        List<AccessUnit> units = depacketize(d, sent.packets());
        assertTrue(units.size() >= 90, units.size() + " frames");
        byte[] asc = SdpFormats.aacConfig("MPEG4-GENERIC", caps);
        assertEquals(48000, io.cascade.protocol.aac.AudioSpecificConfig.parse(asc, 0, asc.length).sampleRate());
        play(Codec.AAC, asc, units, "rtpmp4gdepay ! aacparse ! avdec_aac", units.size());
    }

    @Test
    void aacLatmFromGStreamer() throws Exception {
        Path clip = encode("audio.m4a", "-vn");
        Sent sent = gstSend(clip, "aacparse ! rtpmp4apay pt=97");
        StreamMuxConfig config = StreamMuxConfig.parseHex(sent.caps().get("config"));
        List<AccessUnit> latm = depacketize(new LatmDepacketizer(config, 1024), sent.packets());
        Sent generic = gstSend(clip, "aacparse ! rtpmp4gpay pt=97");
        List<AccessUnit> hbr = depacketize(AacHbrDepacketizer.fromFormatParameters(generic.caps()), generic.packets());
        // the same frames both ways (here rtpmp4gpay leaves out the clip's first frame, which rtpmp4apay sends)
        int skip = latm.size() - hbr.size();
        assertTrue(skip == 0 || skip == 1, latm.size() + " LATM frames, " + hbr.size() + " mpeg4-generic");
        for (int i = 0; i < hbr.size(); i++) {
            assertArrayEquals(hbr.get(i).data(), latm.get(i + skip).data(), "frame " + i);
        }
        assertArrayEquals(SdpFormats.aacConfig("MPEG4-GENERIC", generic.caps()), config.audioSpecificConfig());
    }

    private Path encode(String name, String... codec) throws Exception {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2"));
        if (!name.endsWith(".m4a")) {
            cmd.add("-an");
        }
        cmd.addAll(Arrays.asList(codec));
        cmd.add(out.toString());
        run(cmd);
        return out;
    }

    private record Sent(List<RtpPacket> packets, Map<String, String> caps) {
    }

    /** Runs filesrc ! qtdemux ! {chain} ! udpsink to our socket; returns the packets and the payloader's caps. */
    private Sent gstSend(Path clip, String chain) throws Exception {
        try (DatagramSocket socket = UdpLoopback.bindEvenPort()) {
            List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-v", "filesrc", "location=" + clip, "!",
                    "qtdemux", "!"));
            cmd.addAll(Arrays.asList(chain.split(" ")));
            // sync=true: at the media's pace, as a live source sends, so no burst outruns the socket buffer
            cmd.addAll(List.of("!", "udpsink", "host=127.0.0.1", "port=" + socket.getLocalPort(), "sync=true"));
            Path log = dir.resolve("gst-send.log");
            Process sender = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            List<RtpPacket> packets = UdpLoopback.receive(socket, sender);
            String out = Files.readString(log);
            assertEquals(0, sender.exitValue(), out);
            return new Sent(packets, payloaderCaps(out));
        }
    }

    /** The (string) fields of the caps GStreamer printed for the payloader's source pad. */
    private static Map<String, String> payloaderCaps(String log) {
        Map<String, String> caps = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line : log.split("\n")) {
            if (line.contains("pay0.GstPad:src: caps = application/x-rtp")) {
                Matcher m = CAPS_FIELD.matcher(line.replace("\\,", "\u0001"));
                while (m.find()) {
                    caps.put(m.group(1), m.group(2).replace("\u0001", ","));
                }
            }
        }
        assertTrue(!caps.isEmpty(), "no payloader caps in the GStreamer output");
        return caps;
    }

    private static List<AccessUnit> depacketize(Depacketizer d, List<RtpPacket> packets) throws RtpException {
        ReorderWindow<RtpPacket> window = new ReorderWindow<>();
        List<AccessUnit> units = new ArrayList<>();
        for (RtpPacket p : packets) {
            for (RtpPacket r : window.push(p.sequence(), p)) {
                d.push(r, units::add);
            }
        }
        for (RtpPacket r : window.flush()) {
            d.push(r, units::add);
        }
        assertEquals(0, window.lost(), "loopback loses nothing");
        assertEquals(0, d.damaged());
        return units;
    }

    /** FramesToRtp sends the units; GStreamer, with caps from our format parameters, depayloads and decodes them all. */
    private void play(Codec codec, byte[] config, List<AccessUnit> units, String decode, int expectFrames)
            throws Exception {
        MediaDescription described = SdpFormats.describe(codec, config, "trackID=0");
        int pt = described.payloadType();
        RtpMap map = described.rtpMap(pt);
        StringBuilder caps = new StringBuilder("application/x-rtp,media=").append(described.media())
                .append(",clock-rate=").append(map.clockRate()).append(",encoding-name=").append(map.encodingName())
                .append(",payload=").append(pt);
        described.fmtp(pt).forEach((k, v) -> caps.append(',').append(k).append("=(string)\"").append(v).append('"'));
        List<byte[]> wire = RtpFfmpegIT.playbackPackets(codec, config, units, pt);
        int port = UdpLoopback.freeEvenPort();
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-v", "udpsrc", "port=" + port,
                "num-buffers=" + wire.size(), "caps=" + caps, "!"));
        cmd.addAll(Arrays.asList(decode.split(" ")));
        cmd.addAll(List.of("!", "fakesink", "silent=false"));
        Path log = dir.resolve("gst-play.log");
        Process player = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            UdpLoopback.awaitListener(port, player);
            UdpLoopback.send(wire, port);
            assertTrue(player.waitFor(30, TimeUnit.SECONDS), "GStreamer did not reach the end of the stream");
        } finally {
            player.destroyForcibly();
        }
        String out = Files.readString(log);
        assertEquals(0, player.exitValue(), out);
        List<String> problems = out.lines().filter(l -> l.startsWith("WARNING") || l.startsWith("ERROR")).toList();
        assertEquals(List.of(), problems, "GStreamer warnings");
        long decoded = out.lines().filter(l -> l.contains("fakesink0: last-message = chain")).count();
        assertEquals(expectFrames, decoded, "frames decoded");
    }

    private static boolean outOfOrder(List<AccessUnit> units) {
        for (int i = 1; i < units.size(); i++) {
            if (((units.get(i).timestamp() - units.get(i - 1).timestamp()) & 0xFFFFFFFFL) > 0x7FFFFFFFL) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void run(List<String> cmd) throws Exception {
        Path log = dir.resolve("run.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), Files.readString(log));
    }
}
