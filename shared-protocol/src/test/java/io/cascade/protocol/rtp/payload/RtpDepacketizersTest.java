package io.cascade.protocol.rtp.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cascade.media.Codec;
import io.cascade.protocol.rtp.RtpException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RtpDepacketizersTest {
    @Test
    void picksTheDepacketizerOfEachFormat() throws RtpException {
        assertInstanceOf(H264Depacketizer.class, Depacketizers.create("H264", Map.of("packetization-mode", "1")));
        assertInstanceOf(H264Depacketizer.class, Depacketizers.create("h264", Map.of()));
        assertInstanceOf(H265Depacketizer.class, Depacketizers.create("H265", Map.of("sprop-max-don-diff", "0")));
        assertInstanceOf(AacHbrDepacketizer.class, Depacketizers.create("mpeg4-generic", Map.of("streamtype", "5",
                "mode", "AAC-hbr", "sizelength", "13", "indexlength", "3", "indexdeltalength", "3")));
        LatmDepacketizer latm = assertInstanceOf(LatmDepacketizer.class, Depacketizers.create("MP4A-LATM",
                Map.of("cpresent", "0", "config", "400023203fc0")));
        assertEquals(48000, latm.config().config().sampleRate());
        assertEquals(Codec.AAC, Depacketizers.codec("MP4A-LATM"));
        assertNull(Depacketizers.codec("opus"));
    }

    @Test
    void refusesWhatItCannotRead() {
        for (Map.Entry<String, Map<String, String>> e : Map.<String, Map<String, String>>of(
                "H264", Map.of("packetization-mode", "2"),
                "H265", Map.of("sprop-max-don-diff", "1"),
                "MPEG4-GENERIC", Map.of("streamtype", "4", "mode", "AAC-hbr", "sizelength", "13"),
                "MP4A-LATM", Map.of("config", "400023203fc0"),
                "mp4a-latm", Map.of("cpresent", "0", "config", "zz"),
                "OPUS", Map.of()).entrySet()) {
            assertThrows(RtpException.class, () -> Depacketizers.create(e.getKey(), e.getValue()), e.toString());
        }
    }
}
