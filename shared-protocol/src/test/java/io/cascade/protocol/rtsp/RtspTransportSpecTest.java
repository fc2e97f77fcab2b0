package io.cascade.protocol.rtsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RtspTransportSpecTest {

    private static TransportSpec one(String header) throws RtspException {
        List<TransportSpec> all = TransportSpec.parseAll(header);
        assertEquals(1, all.size());
        return all.get(0);
    }

    @Test
    void ffmpegRecordingOverTcp() throws Exception {
        TransportSpec t = one("RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
        assertEquals("RTP/AVP/TCP", t.protocol());
        assertTrue(t.tcp());
        assertFalse(t.multicast());
        assertArrayEquals(new int[] {0, 1}, t.interleaved());
        assertNull(t.clientPort());
        assertEquals("RECORD", t.mode());
        assertTrue(t.record());
        assertNull(t.ssrc());
        assertEquals(Map.of(), t.others());
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1;mode=RECORD", t.format());
    }

    @Test
    void ffmpegRecordingOverUdpIsNormalisedToRtpAvp() throws Exception {
        TransportSpec t = one("RTP/AVP/UDP;unicast;client_port=5000-5001;mode=record");
        assertEquals("RTP/AVP", t.protocol());
        assertFalse(t.tcp());
        assertArrayEquals(new int[] {5000, 5001}, t.clientPort());
        TransportSpec answer = t.withServerPort(6000, 6001).withSsrc(0x1A2B3C4DL).withMode(null);
        assertEquals("RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001;ssrc=1A2B3C4D", answer.format());
        assertEquals(answer, one(answer.format()));
    }

    @Test
    void gstreamerOffersAlternativesInOrder() throws Exception {
        List<TransportSpec> all = TransportSpec.parseAll(
                "RTP/AVP;unicast;client_port=51564-51565, RTP/AVP/TCP;unicast;interleaved=0-1");
        assertEquals(2, all.size());
        assertFalse(all.get(0).tcp());
        assertArrayEquals(new int[] {51564, 51565}, all.get(0).clientPort());
        assertTrue(all.get(1).tcp());
        assertEquals("PLAY", all.get(1).effectiveMode());
        assertNull(all.get(1).mode());
        assertEquals("RTP/AVP/TCP;unicast;interleaved=0-1", all.get(1).format());
    }

    @Test
    void gstreamerRecordingAndQuotedMode() throws Exception {
        assertEquals("RECORD", one("RTP/AVP/TCP;unicast;interleaved=0-1;mode=RECORD").mode());
        assertEquals("PLAY", one("RTP/AVP;unicast;client_port=4588-4589;mode=\"PLAY\"").mode());
    }

    @Test
    void unsupportedAlternativesAreLeftOutAndAloneGive461() throws Exception {
        List<TransportSpec> all = TransportSpec.parseAll("RTP/SAVP;unicast;client_port=1-2,RTP/AVP;unicast;client_port=8000");
        assertEquals(1, all.size());
        assertArrayEquals(new int[] {8000, 8001}, all.get(0).clientPort());
        assertEquals(461, assertThrows(RtspException.class, () -> TransportSpec.parseAll("RTP/SAVP;unicast")).status());
        assertEquals(461, assertThrows(RtspException.class,
                () -> TransportSpec.parseAll("RAW/RAW/UDP;unicast,RTP/AVPF;unicast")).status());
    }

    @Test
    void otherParametersAreKeptInOrder() throws Exception {
        TransportSpec t = one("RTP/AVP;multicast;destination=232.0.0.1;ttl=16;port=5000-5001;append;ssrc=00000abc");
        assertTrue(t.multicast());
        assertEquals(List.of("destination", "ttl", "port", "append"), List.copyOf(t.others().keySet()));
        assertEquals("", t.others().get("append"));
        assertEquals(0xABCL, t.ssrc());
        assertEquals("RTP/AVP;multicast;ssrc=00000ABC;destination=232.0.0.1;ttl=16;port=5000-5001;append", t.format());
        assertEquals("RTP/AVP;multicast;ssrc=00000ABC", t.withoutOthers().format());
        assertEquals(t, one(t.format()));
    }

    @Test
    void aSingleNumberMeansRtcpOnTheNext() throws Exception {
        assertArrayEquals(new int[] {4, 5}, one("RTP/AVP/TCP;interleaved=4").interleaved());
        assertArrayEquals(new int[] {65534, 65535}, one("RTP/AVP;client_port=65534").clientPort());
        assertEquals(400, assertThrows(RtspException.class, () -> one("RTP/AVP;client_port=65535")).status());
        assertEquals(400, assertThrows(RtspException.class, () -> one("RTP/AVP/TCP;interleaved=255")).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"RTP/AVP;unicast;client_port=70000-70001", "RTP/AVP;unicast;client_port=a-b",
        "RTP/AVP;client_port=5000-", "RTP/AVP;client_port=-1", "RTP/AVP;client_port", "RTP/AVP/TCP;interleaved=0-256",
        "RTP/AVP;server_port=1-2-3", "RTP/AVP;ssrc=123456789", "RTP/AVP;ssrc=xyz", "RTP/AVP;mode=", "RTP/AVP;mode=\"a b\"",
        "RTP/AVP;destination=\"x", "RTP/AVP;a b=1", "RTP/AVP;destination=a b", "", "  ", ",", "RTP", "RTP/AVP/TCP/X",
        "RTP/AVP;client_port=0005000-5001"})
    void malformedGives400(String header) {
        assertEquals(400, assertThrows(RtspException.class, () -> TransportSpec.parseAll(header)).status());
    }

    @Test
    void onlyTheWellFormedAlternativesAreKept() throws Exception {
        List<TransportSpec> all = TransportSpec.parseAll("RTP/AVP;client_port=70000,RTP/AVP/TCP;interleaved=2-3,");
        assertEquals(1, all.size());
        assertArrayEquals(new int[] {2, 3}, all.get(0).interleaved());
    }

    @Test
    void limits() {
        assertEquals(400, assertThrows(RtspException.class,
                () -> TransportSpec.parseAll("RTP/AVP;unicast,".repeat(17))).status());
        assertEquals(400, assertThrows(RtspException.class,
                () -> TransportSpec.parseAll("RTP/AVP" + ";x".repeat(33))).status());
        assertEquals(400, assertThrows(RtspException.class,
                () -> TransportSpec.parseAll("RTP/AVP;x=" + "y".repeat(3000))).status());
    }

    @CsvSource({"RTP/AVP/TCP, 0, 1", "RTP/AVP/TCP, 254, 255"})
    @ParameterizedTest
    void factoriesAndWithers(String protocol, int rtp, int rtcp) {
        TransportSpec t = TransportSpec.tcp(rtp, rtcp);
        assertEquals(protocol, t.protocol());
        assertEquals(protocol + ";unicast;interleaved=" + rtp + "-" + rtcp, t.format());
        assertEquals("RTP/AVP;unicast;client_port=5000-5001;mode=RECORD",
                TransportSpec.udp(5000, 5001).withMode("record").format());
        assertArrayEquals(new int[] {6, 7}, t.withInterleaved(6, 7).interleaved());
        assertArrayEquals(new int[] {1, 2}, TransportSpec.udp(3, 4).withClientPort(1, 2).clientPort());
    }

    @Test
    void theRecordIsAValue() {
        int[] ports = {5000, 5001};
        TransportSpec t = new TransportSpec("RTP/AVP", false, null, ports, null, null, null, null);
        ports[0] = 1;
        assertEquals(5000, t.clientPort()[0]);
        t.clientPort()[0] = 2;
        assertEquals(5000, t.clientPort()[0]);
        assertEquals(t, TransportSpec.udp(5000, 5001));
        assertEquals(t.hashCode(), TransportSpec.udp(5000, 5001).hashCode());
        assertThrows(IllegalArgumentException.class, () -> new TransportSpec("RTP/SAVP", false, null, null, null, null,
                null, null));
        assertThrows(IllegalArgumentException.class, () -> new TransportSpec("RTP/AVP", false, null, null, null, null,
                null, Map.of("x", "a;b")));
        assertThrows(IllegalArgumentException.class, () -> new TransportSpec("RTP/AVP", false, null, null, null, null,
                null, Map.of("mode", "play")));
        assertThrows(IllegalArgumentException.class, () -> TransportSpec.udp(70000, 1));
        assertThrows(IllegalArgumentException.class, () -> TransportSpec.udp(1, 2).withSsrc(1L << 32));
    }
}
