package io.cascade.protocol.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.testing.FuzzSeeds;
import io.cascade.protocol.rtp.RtpCaptures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Jazzer fuzz test of the SDP parser and the format parameter readers: only SdpException may escape. */
class SdpFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/protocol/sdp/SdpFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void parse(byte[] data) {
        SessionDescription sdp;
        try {
            sdp = SessionDescription.parse(data);
        } catch (SdpException expected) {
            return;
        }
        // what parses, writes; what is written parses to the same description unless a value had stray spaces
        String text = sdp.write();
        try {
            SessionDescription again = SessionDescription.parse(text);
            assertEquals(sdp.media().size(), again.media().size());
        } catch (SdpException e) {
            // a written description can exceed MAX_LENGTH when the parsed one used bare LFs; nothing else may fail
            if (text.length() <= SessionDescription.MAX_LENGTH) {
                throw new AssertionError("written description does not parse: " + e.getMessage() + "\n" + text);
            }
        }
        for (MediaDescription m : sdp.media()) {
            int pt = m.payloadType();
            try {
                RtpMap map = m.rtpMap(pt);
                Map<String, String> fmtp = m.fmtp(pt);
                if (map != null) {
                    switch (map.encodingName().toUpperCase()) {
                        case "H264" -> SdpFormats.h264Config(fmtp);
                        case "H265" -> SdpFormats.h265Config(fmtp);
                        default -> SdpFormats.aacConfig(map.encodingName(), fmtp);
                    }
                }
            } catch (SdpException expected) {
                // typed rejection
            }
        }
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> m = new TreeMap<>();
        Map<String, byte[]> parse = m.computeIfAbsent("parse", k -> new TreeMap<>());
        for (String f : List.of("h264gh.sdp", "h265gh.sdp", "aac.sdp", "latm.sdp")) {
            parse.put(FuzzSeeds.fileName("ffmpeg " + f), RtpCaptures.text(f).getBytes(StandardCharsets.UTF_8));
        }
        parse.put("camera_describe", SdpSessionDescriptionTest.CAMERA.getBytes(StandardCharsets.UTF_8));
        parse.put("bad_port_beyond_65535", "v=0\r\nm=video 70000 RTP/AVP 96\r\n".getBytes(StandardCharsets.UTF_8));
        parse.put("bad_carriage_return_inside_a_line", "v=0\r\nc=IN \rv=0\r\n".getBytes(StandardCharsets.UTF_8)); // found by Jazzer
        parse.put("bad_not_sdp", "v=0\r\nthis is not sdp\r\n".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("parse", this::parse), 2000);
    }

    @Test
    void committedSeedFilesMatchTheVectorTables() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
