package io.cascade.protocol.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.protocol.rtp.RtpCaptures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SdpSessionDescriptionTest {
    /** What an RTSP camera or encoder typically answers DESCRIBE with (LF line ends, as some write them). */
    static final String CAMERA = """
            v=0
            o=- 1700000000 1 IN IP4 192.0.2.10
            s=Session streamed by encoder
            i=live
            t=0 0
            a=tool:some encoder
            a=type:broadcast
            a=control:*
            a=range:npt=0-
            m=video 0 RTP/AVP 96
            c=IN IP4 0.0.0.0
            b=AS:500
            a=rtpmap:96 H264/90000
            a=fmtp:96 packetization-mode=1;profile-level-id=4D400A;sprop-parameter-sets=Z01ACtoINsBEAAADAAQAAAMAyDxImoA=,aO8PyA==
            a=control:trackID=0
            m=audio 0 RTP/AVP 97
            a=rtpmap:97 MPEG4-GENERIC/48000/2
            a=fmtp:97 streamtype=5; profile-level-id=1; mode=AAC-hbr; SizeLength=13; IndexLength=3; IndexDeltaLength=3; config=1190
            a=control:trackID=1
            a=recvonly
            """;

    @Test
    void readsACameraDescription() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(CAMERA);
        assertEquals("*", sdp.control());
        assertEquals("npt=0-", sdp.range());
        assertEquals("Session streamed by encoder", sdp.sessionName());
        assertEquals(2, sdp.media().size());
        MediaDescription video = sdp.media().get(0);
        assertEquals("video", video.media());
        assertEquals(96, video.payloadType());
        assertEquals(new RtpMap(96, "H264", 90000, 0), video.rtpMap(96));
        assertEquals("IN IP4 0.0.0.0", video.connection());
        assertEquals("trackID=0", video.control());
        Map<String, String> fmtp = video.fmtp(96);
        assertEquals("1", fmtp.get("packetization-mode"));
        assertEquals("Z01ACtoINsBEAAADAAQAAAMAyDxImoA=,aO8PyA==", fmtp.get("sprop-parameter-sets"));
        MediaDescription audio = sdp.media().get(1);
        assertEquals(new RtpMap(97, "MPEG4-GENERIC", 48000, 2), audio.rtpMap(97));
        assertEquals("13", audio.fmtp(97).get("sizelength")); // names compared without case
        assertEquals("", audio.attribute("recvonly"));
        assertNull(audio.rtpMap(96));
        assertTrue(audio.fmtp(96).isEmpty());
    }

    @Test
    void readsFfmpegDescriptions() throws SdpException {
        for (String f : List.of("h264gh.sdp", "h265gh.sdp", "aac.sdp", "aacfrag.sdp", "latm.sdp")) {
            SessionDescription sdp = SessionDescription.parse(RtpCaptures.text(f).getBytes(StandardCharsets.UTF_8));
            assertEquals(1, sdp.media().size(), f);
            MediaDescription m = sdp.media().get(0);
            assertTrue(m.rtpMap(m.payloadType()) != null, f);
            assertTrue(m.port() > 40000, f);
        }
    }

    @Test
    void writtenDescriptionsReadBack() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(CAMERA);
        String text = sdp.write();
        assertTrue(text.startsWith("v=0\r\no=- 1700000000 1 IN IP4 192.0.2.10\r\ns=Session streamed by encoder\r\n"));
        assertTrue(text.endsWith("a=recvonly\r\n"));
        SessionDescription again = SessionDescription.parse(text);
        assertEquals(sdp, again);
        assertEquals(text, again.write());
    }

    @Test
    void liveDescriptionForPlayback() throws SdpException {
        MediaDescription m = MediaDescription.rtp("video", 96, new RtpMap(96, "H264", 90000, 0),
                MediaDescription.ordered("packetization-mode", "1"), "trackID=0");
        String text = SessionDescription.live("live/cam1", "127.0.0.1", List.of(m)).write();
        assertEquals("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=live/cam1\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=tool:cascade\r\n"
                + "a=control:*\r\na=range:npt=0-\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                + "a=fmtp:96 packetization-mode=1\r\na=control:trackID=0\r\n", text);
        assertEquals("1", SessionDescription.parse(text).media().get(0).fmtp(96).get("packetization-mode"));
    }

    @Test
    void lineBreaksCannotBeSmuggledIntoFields() {
        assertThrows(IllegalArgumentException.class, () -> new Attribute("control", "x\r\nm=video 1 RTP/AVP 1"));
        assertThrows(IllegalArgumentException.class, () -> SessionDescription.live("a\nb", "127.0.0.1", List.of()));
    }

    @Test
    void hostileDescriptionsGiveTypedErrors() {
        List<String> bad = List.of(
                "",
                "\n\n",
                "o=- 0 0 IN IP4 1.2.3.4\r\nv=0\r\n",                 // v= not first
                "v=1\r\n",                                          // version 1
                "v=0\r\nv=0\r\n",                                   // v= twice
                "v=0\r\nthis is not sdp\r\n",
                "v=0\r\nc=IN \rv=0\r\n",                           // a bare CR inside a line
                "v=0\r\nM=video 0 RTP/AVP 96\r\n",                  // upper-case type
                "v=0\r\nm=video 0 RTP/AVP\r\n",                     // no format
                "v=0\r\nm=video x RTP/AVP 96\r\n",                  // port not a number
                "v=0\r\nm=video 99999999999 RTP/AVP 96\r\n",        // port too long
                "v=0\r\nm=video 70000 RTP/AVP 96\r\n",              // port beyond 65535
                "v=0\r\na=:x\r\n",                                  // attribute without a name
                "v=0\r\n" + "m=video 0 RTP/AVP 96\r\n".repeat(SessionDescription.MAX_MEDIA + 1),
                "v=0\r\n" + "a=x\r\n".repeat(SessionDescription.MAX_ATTRIBUTES + 1),
                "v=0\r\nm=video 0 RTP/AVP" + " 96".repeat(SessionDescription.MAX_FORMATS + 1) + "\r\n",
                "v=0\r\n" + "b=AS:1\r\n".repeat(3000));            // a line flood beyond MAX_LENGTH
        for (String s : bad) {
            assertThrows(SdpException.class, () -> SessionDescription.parse(s),
                    s.length() > 60 ? s.substring(0, 60) + "..." : s);
        }
        assertThrows(SdpException.class, () -> SessionDescription.parse(new byte[SessionDescription.MAX_LENGTH + 1]));
        assertThrows(SdpException.class, () -> SessionDescription.parse((byte[]) null));
    }

    @Test
    void malformedRtpmapsGiveTypedErrors() throws SdpException {
        for (String rtpmap : List.of("96 H264", "96 H264/x", "96 H264/0", "96 /90000", "96 H264/90000/2/3",
                "96 H264/9999999999")) {
            MediaDescription m = SessionDescription.parse("v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:" + rtpmap + "\r\n")
                    .media().get(0);
            assertThrows(SdpException.class, () -> m.rtpMap(96), rtpmap);
        }
    }
}
