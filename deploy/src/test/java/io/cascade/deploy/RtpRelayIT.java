package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Raw RTP pulls (EMS's {@code rtp://} with the track's parameters given, as there is no SDP): ffmpeg sends H.264 and,
 * apart, AAC as RTP to a port of the node; the parameters are read from the SDP ffmpeg writes for them, as an operator
 * would copy them; ffmpeg decodes each stream back over RTMP.
 */
@Tag("interop")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RtpRelayIT {
    private static final int SECONDS = 3;
    @TempDir
    Path dir;
    private CascadeNode node;
    private int rtmp;
    private int api;

    @BeforeEach
    void start() throws Exception {
        rtmp = Clients.freePort();
        api = Clients.freePort();
        node = Clients.startSingle("rtp-relay", rtmp, 0, "api.port", String.valueOf(api));
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.stop();
        }
    }

    private JsonObject call(String verb, String... params) throws Exception {
        return RelayCalls.call(api, verb, params);
    }

    /** ffmpeg sending one medium as RTP to the port, and the SDP it writes for it. */
    private ExternalProcess send(boolean audio, int port, Path sdp) throws Exception {
        List<String> command = audio
                ? List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "60", "-vn",
                "-c:a", "aac", "-b:a", "64k", "-f", "rtp", "-sdp_file", sdp.toString(), "rtp://127.0.0.1:" + port)
                : List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "60", "-an",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", "25", "-flags", "+global_header", "-f", "rtp", "-sdp_file", sdp.toString(),
                "rtp://127.0.0.1:" + port); // the global header puts the parameter sets in the SDP
        ExternalProcess p = ExternalProcess.start(audio ? "rtp-audio" : "rtp-video", command);
        Await.until(() -> "no SDP from ffmpeg: " + p.describe(), Duration.ofSeconds(15),
                () -> Files.exists(sdp) && Files.readString(sdp).contains("a=fmtp"));
        return p;
    }

    private static String sdpField(Path sdp, String regex) throws Exception {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(sdp));
        assertTrue(m.find(), regex + " not in " + Files.readString(sdp));
        return m.group(1);
    }

    /** ffmpeg playing the one-track stream over RTMP: the frames it decoded. */
    private long decoded(String stream) throws Exception {
        ExternalProcess play = ExternalProcess.run("play-" + stream, 40, List.of("ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "error", "-i", rtmpUrl(rtmp, stream), "-t", String.valueOf(SECONDS), "-f", "framecrc", "-"));
        assertEquals(0, play.exitCode(), play.describe());
        return Clients.countLines(play.stdout(), "0,");
    }

    @Test
    void h264OverRawRtpIsPublishedWithTheParameterSetsGiven() throws Exception {
        int port = Clients.freePort();
        Path sdp = dir.resolve("video.sdp");
        try (ExternalProcess sender = send(false, port, sdp)) {
            String[] sprop = sdpField(sdp, "sprop-parameter-sets=([^;\\s]+)").split(",");
            JsonObject added = call("pullStream", "uri", "rtp://127.0.0.1:" + port, "localStreamName", "rtpvideo",
                    "isAudio", "0", "spsBytes", sprop[0], "ppsBytes", sprop[1]);
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            Clients.awaitLive(api, "rtpvideo", true, sender);
            long frames = decoded("rtpvideo");
            assertTrue(frames >= SECONDS * 25L * 3 / 4, "video frames decoded: " + frames);
        }
    }

    @Test
    void aacOverRawRtpIsPublishedWithTheConfigGiven() throws Exception {
        int port = Clients.freePort();
        Path sdp = dir.resolve("audio.sdp");
        try (ExternalProcess sender = send(true, port, sdp)) {
            String config = sdpField(sdp, "config=([0-9A-Fa-f]+)");
            JsonObject added = call("pullStream", "uri", "rtp://127.0.0.1:" + port, "localStreamName", "rtpaudio",
                    "isAudio", "1", "audioCodecBytes", config);
            assertEquals("SUCCESS", added.getString("status"), added.encode());
            Clients.awaitLive(api, "rtpaudio", true, sender);
            long frames = decoded("rtpaudio");
            assertTrue(frames >= SECONDS * 43L * 3 / 4, "audio frames decoded: " + frames);
        }
    }

    @Test
    void missingOrBadTrackParametersAreRefusedWithTheirName() throws Exception {
        JsonObject noSps = call("pullStream", "uri", "rtp://127.0.0.1:5004", "localStreamName", "x", "ppsBytes", "aGk=");
        assertEquals(400, noSps.getInteger("httpStatus"), noSps.encode());
        assertTrue(noSps.getString("description").contains("spsBytes"), noSps.encode());
        JsonObject badAudio = call("pullStream", "uri", "rtp://127.0.0.1:5004", "localStreamName", "x", "isAudio", "1",
                "audioCodecBytes", "zz");
        assertEquals(400, badAudio.getInteger("httpStatus"), badAudio.encode());
        assertEquals(400, call("pullStream", "uri", "rtp://127.0.0.1", "localStreamName", "x", "isAudio", "1",
                "audioCodecBytes", "1190").getInteger("httpStatus"));
        assertEquals(400, call("pullStream", "uri", "rtp://127.0.0.1:5004", "localStreamName", "x", "isAudio", "2")
                .getInteger("httpStatus"));
    }
}
