package io.cascade.protocol.rtsp;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtspHttpTunnelTest {
    private static final RtspClientUrl URL =
            RtspClientUrl.parse("rtsp://admin:s3cr3t@cam.example:8554/live/main?token=abc");

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static List<String> lines(byte[] request) {
        String t = text(request);
        assertTrue(t.endsWith("\r\n\r\n"), t);
        return List.of(t.substring(0, t.length() - 4).split("\r\n"));
    }

    @Test
    void selfSendsGetAndPostWithTheSameCookieToTheServerItself() {
        RtspHttpTunnel t = RtspHttpTunnel.create(URL, "self", new Random(1));
        assertEquals("cam.example", t.connectHost());
        assertEquals(8554, t.connectPort());
        assertFalse(t.proxied());
        List<String> get = lines(t.getRequest());
        assertEquals("GET /live/main?token=abc HTTP/1.0", get.get(0));
        assertTrue(get.contains("x-sessioncookie: " + t.cookie()), get.toString());
        assertTrue(get.contains("Accept: application/x-rtsp-tunnelled"), get.toString());
        assertTrue(get.contains("Pragma: no-cache"), get.toString());
        assertTrue(get.contains("Cache-Control: no-cache"), get.toString());
        assertTrue(get.contains("Host: cam.example:8554"), get.toString());

        List<String> post = lines(t.postRequest());
        assertEquals("POST /live/main?token=abc HTTP/1.0", post.get(0));
        assertTrue(post.contains("x-sessioncookie: " + t.cookie()), post.toString());
        assertTrue(post.contains("Content-Type: application/x-rtsp-tunnelled"), post.toString());
        assertTrue(post.contains("Content-Length: 32767"), post.toString());
        // credentials never travel in the HTTP requests
        assertFalse(text(t.getRequest()).contains("s3cr3t") || text(t.postRequest()).contains("s3cr3t"));
        assertFalse(text(t.getRequest()).contains("admin"));
    }

    @Test
    void cookiesAreRandomAndHeaderSafe() {
        String a = RtspHttpTunnel.create(URL, "self", new Random(1)).cookie();
        String b = RtspHttpTunnel.create(URL, "self", new Random(2)).cookie();
        assertNotEquals(a, b);
        assertEquals(22, a.length());
        assertTrue(a.matches("[A-Za-z0-9_-]+"), a);
    }

    @Test
    void aProxyGetsAbsoluteFormTargets() {
        RtspHttpTunnel t = RtspHttpTunnel.create(RtspClientUrl.parse("rtsp://10.0.0.7/cam"), "proxy.lan:3128",
                new Random(1));
        assertEquals("proxy.lan", t.connectHost());
        assertEquals(3128, t.connectPort());
        assertTrue(t.proxied());
        assertEquals("GET http://10.0.0.7:554/cam HTTP/1.0", lines(t.getRequest()).get(0));
        assertEquals("POST http://10.0.0.7:554/cam HTTP/1.0", lines(t.postRequest()).get(0));

        RtspHttpTunnel v6 = RtspHttpTunnel.create(RtspClientUrl.parse("rtsp://[::1]:8554/cam"), "[fd00::1]:8080",
                new Random(1));
        assertEquals("fd00::1", v6.connectHost());
        assertEquals("GET http://[::1]:8554/cam HTTP/1.0", lines(v6.getRequest()).get(0));
    }

    @Test
    void badProxiesAreRefused() {
        for (String bad : new String[]{"proxy", "proxy:", ":80", "proxy:0", "proxy:70000", "proxy:8x", "a b:80",
                "::1:80", "http://proxy:80"}) {
            assertThrows(IllegalArgumentException.class, () -> RtspHttpTunnel.validate(bad), bad);
        }
        RtspHttpTunnel.validate("self");
        RtspHttpTunnel.validate("127.0.0.1:8080");
    }

    @Test
    void eachRequestIsBase64OnItsOwn() {
        byte[] request = RtspMessageWriter.request("OPTIONS", URL.requestUri(), 1, List.of(), null, null);
        byte[] encoded = RtspHttpTunnel.encode(request);
        assertTrue(text(encoded).matches("[A-Za-z0-9+/]+=*"), text(encoded));
        assertEquals(text(request), text(Base64.getDecoder().decode(encoded)));
    }

    @Test
    void theGetAnswerIsReadAcrossReadsAndTheRtspStreamFollowsIt() throws Exception {
        RtspHttpTunnel t = RtspHttpTunnel.create(URL, "self", new Random(1));
        byte[] head = ("HTTP/1.0 200 OK\r\nServer: x\r\nContent-Type: application/x-rtsp-tunnelled\r\n\r\n"
                + "RTSP/1.0 200 OK\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(-1, t.receiveHeader(head, 0, 10));
        assertFalse(t.open());
        int start = t.receiveHeader(head, 10, head.length - 10);
        assertTrue(t.open());
        assertEquals("RTSP/1.0 200 OK\r\n", new String(head, start, head.length - start, StandardCharsets.US_ASCII));
    }

    @Test
    void refusalsAndOversizedHeadsEndTheTunnel() {
        byte[] notFound = "HTTP/1.1 404 Not Found\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        RtspException e = assertThrows(RtspException.class,
                () -> RtspHttpTunnel.create(URL, "self", new Random(1)).receiveHeader(notFound, 0, notFound.length));
        assertTrue(e.getMessage().contains("404 Not Found"), e.getMessage());

        byte[] rtsp = "RTSP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(RtspException.class,
                () -> RtspHttpTunnel.create(URL, "self", new Random(1)).receiveHeader(rtsp, 0, rtsp.length));

        RtspHttpTunnel t = RtspHttpTunnel.create(URL, "self", new Random(1));
        byte[] endless = new byte[RtspHttpTunnel.MAX_RESPONSE_HEADER_BYTES + 1];
        java.util.Arrays.fill(endless, (byte) 'a');
        e = assertThrows(RtspException.class, () -> t.receiveHeader(endless, 0, endless.length));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }
}
