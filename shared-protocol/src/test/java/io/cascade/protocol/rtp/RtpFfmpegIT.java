package io.cascade.protocol.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.rtp.frames.FramesToRtp;
import io.cascade.protocol.rtp.payload.AccessUnit;
import io.cascade.protocol.rtp.payload.Depacketizer;
import io.cascade.protocol.rtp.payload.Depacketizers;
import io.cascade.protocol.sdp.MediaDescription;
import io.cascade.protocol.sdp.RtpMap;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.protocol.sdp.SessionDescription;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-client check of both directions over loopback UDP: ffmpeg encodes a short clip and sends it as RTP with its SDP;
 * the SDP parser, a reorder window and the depacketizer rebuild the access units; then FramesToRtp (the packetizers)
 * sends them again with a description written by SdpFormats, and ffmpeg, reading only that description, decodes every
 * frame without an error. deploy/bin/test installs ffmpeg, so CI always runs it.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RtpFfmpegIT {
    private static final int VIDEO_FRAMES = 50; // 2 s at 25 fps, a keyframe every second

    @TempDir
    Path dir;

    @BeforeAll
    static void needsFfmpeg() {
        assertTrue(UdpLoopback.installed("ffmpeg", "-version"), "ffmpeg not installed: deploy/bin/test installs every real client");
    }

    @Test
    void h264BothWays() throws Exception {
        roundTrip(Codec.H264, VIDEO_FRAMES, "-f", "lavfi", "-i",
                "testsrc2=size=320x240:rate=25", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-g", "25",
                "-bf", "0", "-flags", "+global_header", "-pkt_size", "700");
    }

    @Test
    void h265BothWays() throws Exception {
        roundTrip(Codec.H265, VIDEO_FRAMES, "-f", "lavfi", "-i",
                "testsrc2=size=320x240:rate=25", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx265", "-x265-params",
                "log-level=error:keyint=25:bframes=0", "-flags", "+global_header", "-pkt_size", "700");
    }

    @Test
    void aacBothWays() throws Exception {
        // 2 s at 48 kHz is 94 frames; ffmpeg's RTP muxer packs several per packet and does not send the last pack
        roundTrip(Codec.AAC, 90, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "2", "-ac", "2", "-c:a", "aac", "-b:a", "128k");
    }

    private void roundTrip(Codec codec, int minUnits, String... encode) throws Exception {
        // ingest: ffmpeg -> RTP -> depacketizer
        Path sdpFile = dir.resolve("in.sdp");
        List<RtpPacket> received;
        try (DatagramSocket socket = UdpLoopback.bindEvenPort()) {
            // -re: at the media's pace, as a live source sends, so no burst outruns the socket buffer
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-v", "error", "-re"));
            cmd.addAll(Arrays.asList(encode));
            cmd.addAll(List.of("-f", "rtp", "-sdp_file", sdpFile.toString(), "rtp://127.0.0.1:" + socket.getLocalPort()));
            Process sender = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("send.log").toFile())
                    .start();
            received = UdpLoopback.receive(socket, sender);
            assertEquals(0, sender.exitValue(), Files.readString(dir.resolve("send.log")));
        }
        SessionDescription in = SessionDescription.parse(Files.readAllBytes(sdpFile));
        MediaDescription media = in.media().get(0);
        RtpMap map = media.rtpMap(media.payloadType());
        assertEquals(codec, Depacketizers.codec(map.encodingName()));
        byte[] config = switch (codec) {
            case H264 -> SdpFormats.h264Config(media.fmtp(map.payloadType())).encode();
            case H265 -> SdpFormats.h265Config(media.fmtp(map.payloadType()));
            default -> SdpFormats.aacConfig(map.encodingName(), media.fmtp(map.payloadType()));
        };
        Depacketizer depacketizer = Depacketizers.create(map.encodingName(), media.fmtp(map.payloadType()));
        ReorderWindow<RtpPacket> window = new ReorderWindow<>();
        List<AccessUnit> units = new ArrayList<>();
        for (RtpPacket p : received) {
            for (RtpPacket r : window.push(p.sequence(), p)) {
                depacketizer.push(r, units::add);
            }
        }
        for (RtpPacket r : window.flush()) {
            depacketizer.push(r, units::add);
        }
        depacketizer.flush(units::add);
        assertEquals(0, window.lost(), "loopback loses nothing");
        assertEquals(0, depacketizer.damaged());
        assertTrue(units.size() >= minUnits, units.size() + " units");
        if (codec != Codec.AAC) {
            assertTrue(units.get(0).keyframe() && units.get(25).keyframe() && !units.get(1).keyframe());
        }

        // playback: packetizer -> RTP -> ffmpeg reading our description
        int port = UdpLoopback.freeEvenPort();
        MediaDescription described = SdpFormats.describe(codec, config, "trackID=0");
        MediaDescription out = new MediaDescription(described.media(), port, described.protocol(), described.formats(),
                "IN IP4 127.0.0.1", described.attributes());
        Path playSdp = dir.resolve("play.sdp");
        Files.writeString(playSdp, SessionDescription.live("cascade-test", "127.0.0.1", List.of(out)).write());
        int expectFrames = codec == Codec.AAC ? units.size() - 4 : units.size() - 2; // the last ones may stay buffered
        Path frames = dir.resolve("frames.txt");
        Process player = new ProcessBuilder("ffmpeg", "-hide_banner", "-v", "error", "-protocol_whitelist",
                "file,udp,rtp", "-i", playSdp.toString(), codec == Codec.AAC ? "-frames:a" : "-frames:v",
                Integer.toString(expectFrames), "-f", "framecrc", frames.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("play.log").toFile()).start();
        try {
            UdpLoopback.awaitListener(port, player);
            UdpLoopback.send(playbackPackets(codec, config, units, described.payloadType()), port);
            assertTrue(player.waitFor(30, TimeUnit.SECONDS), "ffmpeg decoded " + count(frames) + " frames of "
                    + expectFrames);
        } finally {
            player.destroyForcibly();
        }
        String log = Files.readString(dir.resolve("play.log"));
        assertEquals(0, player.exitValue(), log);
        assertEquals("", log.strip(), "ffmpeg reported errors");
        assertEquals(expectFrames, count(frames));
    }

    private static long count(Path framecrc) throws IOException {
        if (!Files.exists(framecrc)) {
            return 0;
        }
        return Files.readAllLines(framecrc, StandardCharsets.UTF_8).stream().filter(l -> !l.startsWith("#")).count();
    }

    /** The units as FramesToRtp sends them: the config first, then each unit at its presentation time. */
    static List<byte[]> playbackPackets(Codec codec, byte[] config, List<AccessUnit> units, int payloadType)
            throws Exception {
        int clockRate = FramesToRtp.clockRate(codec, config);
        FramesToRtp sender = new FramesToRtp(codec, payloadType, clockRate, ThreadLocalRandom.current().nextLong(1L << 32),
                ThreadLocalRandom.current().nextInt(65536), ThreadLocalRandom.current().nextLong(1L << 32),
                codec == Codec.AAC ? 300 : 1200);
        List<byte[]> wire = new ArrayList<>(sender.packets(new MediaFrame(0, codec, 0, 0, clockRate,
                MediaFrame.FLAG_CONFIG, 0, 0, config)));
        long first = units.get(0).timestamp();
        long sequence = 1;
        for (AccessUnit au : units) {
            long pts = (au.timestamp() - first) & 0xFFFFFFFFL;
            wire.addAll(sender.packets(new MediaFrame(0, codec, pts, pts, clockRate,
                    au.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0, 0, sequence++, au.data())));
        }
        return wire;
    }
}
