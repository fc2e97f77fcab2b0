package io.cascade.deploy;

import io.cascade.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static io.cascade.deploy.TsIngestIT.ffmpegTs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MPEG-TS relays, driven through the API as an operator would: ffmpeg sends a transport stream over UDP (unicast and
 * a multicast group on loopback) to a {@code dmpegtsudp://} pull, serves one over TCP to a {@code dmpegtstcp://}
 * pull, and receives an {@code mpegtsudp://} push of a stream published over RTMP; ffmpeg decodes every result, and
 * the push's datagrams are also read here packet by packet. Bad URIs are refused with 400.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TsRelayIT {
    private static final int SECONDS = 4;
    /** Short, so a silent source ends its stream quickly. */
    private static final long IDLE_MS = 1_500;
    /** An administratively scoped group (never routed off this host), joined on loopback. */
    private static final String GROUP = "239.255.42.21";
    @TempDir
    static Path dir;
    private static CascadeNode node;
    private static int rtmp;
    private static int api;

    @BeforeAll
    static void start() throws Exception {
        rtmp = Clients.freePort();
        api = Clients.freePort();
        node = Clients.startSingle("tsrelay", rtmp, 0, "api.port", String.valueOf(api), "data.dir",
                dir.resolve("data").toString(), "ts.idle.ms", String.valueOf(IDLE_MS));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    /** Each test's relays go with it: a pull's stream and port are free for the next. */
    @AfterEach
    void removeRelays() throws Exception {
        RelayCalls.removeAll(api);
    }

    private static JsonObject call(String verb, String... params) throws Exception {
        return RelayCalls.call(api, verb, params);
    }

    private static String added(JsonObject answer) {
        assertEquals("SUCCESS", answer.getString("status"), answer.encode());
        return answer.getJsonObject("data").getString("id");
    }

    private static JsonObject status(String id) throws Exception {
        return RelayCalls.status(api, id);
    }

    private static JsonObject awaitState(String id, String state) throws Exception {
        return Await.until(Duration.ofSeconds(20), () -> status(id), s -> state.equals(s.getString("state")),
                s -> "relay " + id + " never got " + state + ": " + s);
    }

    private static void awaitLive(String stream, boolean live, ExternalProcess source) throws Exception {
        Clients.awaitLive(api, stream, live, source);
    }

    /** The stream as listStreams shows it: published here over MPEG-TS, as a TS listener's stream is. */
    private static void assertIngestedAsTs(String stream) throws Exception {
        JsonArray streams = call("listStreams").getJsonArray("data");
        for (int i = 0; i < streams.size(); i++) {
            JsonObject s = streams.getJsonObject(i);
            if (stream.equals(s.getString("name"))) {
                assertEquals("ts", s.getString("ingestProtocol"), s.encode());
                return;
            }
        }
        throw new AssertionError(stream + " is not listed: " + streams);
    }

    private static String udpOut(String host, int port) {
        return "udp://" + host + ":" + port + "?pkt_size=1316";
    }

    @Test
    void aUdpPullPublishesWhatFfmpegSendsAndTheNextDatagramsAfterSilenceRepublish() throws Exception {
        int port = Clients.freePort();
        String id = added(call("pullStream", "uri", "dmpegtsudp://127.0.0.1:" + port, "localStreamName", "udppull"));
        awaitState(id, "connecting"); // bound, waiting for the source
        try (ExternalProcess source = ExternalProcess.start("ts-udp-source",
                ffmpegTs(udpOut("127.0.0.1", port), 60, "libx264"))) {
            awaitLive("udppull", true, source);
            assertIngestedAsTs("udppull");
            Clients.assertDecodes("udppull", ffmpegDecode(rtmpUrl(rtmp, "udppull"), SECONDS), SECONDS);
            assertEquals("running", status(id).getString("state"));
            source.kill();
            awaitLive("udppull", false, source); // nobody told the node: the silence ended it
        }
        JsonObject waiting = awaitState(id, "waiting");
        assertTrue(waiting.getString("lastError").contains("nothing received"), waiting.encode());
        try (ExternalProcess again = ExternalProcess.start("ts-udp-source-again",
                ffmpegTs(udpOut("127.0.0.1", port), 60, "libx264"))) {
            awaitLive("udppull", true, again);
            Clients.assertDecodes("udppull-again", ffmpegDecode(rtmpUrl(rtmp, "udppull"), 2), 2);
            JsonObject back = status(id);
            assertEquals("running", back.getString("state"), back.encode());
            assertTrue(back.getLong("attempts") >= 2, back.encode());
        }
        // removed: the stream ends and the port is this machine's again
        assertEquals("SUCCESS", call("removePullPushConfig", "id", id).getString("status"));
        Await.until("the pull's port is free", Duration.ofSeconds(10), () -> {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return s.isBound();
            } catch (java.net.BindException e) {
                return false;
            }
        });
    }

    @Test
    void aUdpPullOfAMulticastGroupJoinsIt() throws Exception {
        int port = Clients.freePort();
        added(call("pullStream", "uri", "dmpegtsudp://" + GROUP + ":" + port + "?interface=127.0.0.1",
                "localStreamName", "mcastpull"));
        String out = "udp://" + GROUP + ":" + port + "?pkt_size=1316&localaddr=127.0.0.1&ttl=0";
        try (ExternalProcess source = ExternalProcess.start("ts-multicast-source", ffmpegTs(out, 60, "libx264"))) {
            awaitLive("mcastpull", true, source);
            Clients.assertDecodes("mcastpull", ffmpegDecode(rtmpUrl(rtmp, "mcastpull"), SECONDS), SECONDS);
        }
    }

    @Test
    void aTcpPullConnectsToFfmpegServingTsAndConnectsAgainWhenItComesBack() throws Exception {
        int port = Clients.freePort();
        String listen = "tcp://127.0.0.1:" + port + "?listen=1";
        String id;
        try (ExternalProcess server = ExternalProcess.start("ts-tcp-server", ffmpegTs(listen, 60, "libx264"))) {
            id = added(call("pullStream", "uri", "dmpegtstcp://127.0.0.1:" + port, "localStreamName", "tcppull"));
            awaitLive("tcppull", true, server);
            assertIngestedAsTs("tcppull");
            Clients.assertDecodes("tcppull", ffmpegDecode(rtmpUrl(rtmp, "tcppull"), SECONDS), SECONDS);
            assertEquals("running", status(id).getString("state"));
            server.kill();
            awaitLive("tcppull", false, server);
        }
        JsonObject ended = status(id);
        assertTrue(!ended.getString("lastError").isEmpty(), ended.encode());
        // the server is back on the same port: the pull's next attempt (backoff) finds it
        try (ExternalProcess again = ExternalProcess.start("ts-tcp-server-again", ffmpegTs(listen, 60, "libx264"))) {
            awaitLive("tcppull", true, again);
            Clients.assertDecodes("tcppull-again", ffmpegDecode(rtmpUrl(rtmp, "tcppull"), 2), 2);
            assertTrue(status(id).getLong("attempts") >= 2, status(id).encode());
        }
    }

    @Test
    void aUdpPushOfAnRtmpStreamIsDecodedByFfmpegAndItsPacketsAreRight() throws Exception {
        try (ExternalProcess publisher = ExternalProcess.start("publish-rtmp",
                ffmpegPublish(rtmpUrl(rtmp, "pushsrc"), 90))) {
            awaitLive("pushsrc", true, publisher);
            int port = Clients.freePort();
            String id = added(call("pushStream", "uri", "mpegtsudp://127.0.0.1:" + port, "localStreamName", "pushsrc"));
            awaitState(id, "running");
            // ffmpeg listens on the port the push sends to
            String in = "udp://127.0.0.1:" + port + "?fifo_size=100000&overrun_nonfatal=1";
            Clients.assertDecodes("udp-push", ffmpegDecode(in, SECONDS), SECONDS);
            ExternalProcess probe = ExternalProcess.run("ffprobe-udp-push", 30, List.of("ffprobe", "-v", "error",
                    "-show_entries", "stream=codec_name,codec_type", "-of", "csv=p=0", in));
            assertTrue(probe.stdout().contains("h264,video") && probe.stdout().contains("aac,audio"),
                    probe.stdout() + probe.describe());
            assertEquals(400, call("pushStream", "uri", "mpegtsudp://127.0.0.1:" + port, "localStreamName",
                    "pushsrc").getInteger("httpStatus"), "the same push twice");

            // a second push, read packet by packet from its first datagram
            try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                receiver.setReceiveBufferSize(4 << 20);
                String second = added(call("pushStream", "uri", "mpegtsudp://127.0.0.1:" + receiver.getLocalPort()
                        + "?pkt_size=1316", "localStreamName", "pushsrc"));
                PacketCheck check = PacketCheck.receive(receiver, 3_000);
                check.assertRight();
                JsonObject s = status(second);
                assertTrue(s.getLong("datagramsSent") >= check.datagrams && s.getLong("datagramsDropped") == 0,
                        s.encode());
            }
        }
    }

    @Test
    void badUrisAreRefusedAndAPortInUseIsTriedAgain() throws Exception {
        String[][] bad = {
                {"pullStream", "dmpegtsudp://cam.example:9000", "IP address"},
                {"pullStream", "dmpegtsudp://127.0.0.1:0", "port 0"},
                {"pullStream", "dmpegtsudp://127.0.0.1", "no port"},
                {"pullStream", "dmpegtsudp://127.0.0.1:9000?source=10.0.0.5", "multicast group"},
                {"pullStream", "dmpegtsudp://239.1.1.1:9000?source=nowhere", "not an IP address"},
                {"pullStream", "dmpegtstcp://127.0.0.1:99999", "port 99999"},
                {"pullStream", "dmpegtstcp://127.0.0.1:9000?x=1", "no parameters"},
                {"pushStream", "mpegtsudp://127.0.0.1:9000?pkt_size=1000", "188-byte"},
                {"pushStream", "mpegtsudp://239.1.1.1:9000?ttl=300", "ttl 300"},
                {"pushStream", "mpegtsudp://bad_host:9000", "host"},
                {"pushStream", "mpegtsudp://127.0.0.1:9000?interface=lo", "multicast"},
                {"pushStream", "dmpegtsudp://127.0.0.1:9000", "scheme"},
                {"pullStream", "mpegtsudp://127.0.0.1:9000", "scheme"},
        };
        for (String[] b : bad) {
            JsonObject refused = call(b[0], "uri", b[1], "localStreamName", "badts");
            assertEquals(400, refused.getInteger("httpStatus"), b[1] + ": " + refused.encode());
            assertTrue(refused.getString("description").contains(b[2]), b[1] + ": " + refused.encode());
        }
        JsonObject named = call("pushStream", "uri", "mpegtsudp://127.0.0.1:9000", "localStreamName", "badts",
                "targetStreamName", "x");
        assertEquals(400, named.getInteger("httpStatus"), named.encode());
        assertTrue(call("pullStream", "uri", "gopher://x/y", "localStreamName", "x").getString("description")
                .contains("dmpegtsudp://"), "the refusal lists the schemes there are");

        String id;
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            id = added(call("pullStream", "uri", "dmpegtsudp://127.0.0.1:" + taken.getLocalPort(),
                    "localStreamName", "portinuse"));
            JsonObject s = Await.until(Duration.ofSeconds(15), () -> status(id),
                    st -> st.getLong("attempts") >= 2, st -> "attempts on a port in use: " + st);
            assertTrue(s.getString("lastError").contains("cannot listen"), s.encode());
            assertEquals("waiting", s.getString("state"), s.encode());
        }
        // the port is free now: the next attempt (the backoff doubles: 4 s after the second) binds it, and the pull
        // waits for a source
        Await.until(Duration.ofSeconds(15), () -> status(id), st -> "connecting".equals(st.getString("state"))
                && st.getLong("attempts") >= 3, st -> "the pull never bound the port once free: " + st);
    }

    /**
     * What one receiver of a push got, checked packet by packet as a strict receiver would: whole packets in
     * datagrams of at most 1316 bytes, the PAT first, continuity counters that never jump, no packet saying they
     * restart, the tables and the PCR often enough, and the first picture a keyframe.
     */
    static final class PacketCheck {
        int datagrams;
        int packets;
        int pats;
        int pcrs;
        int ccErrors;
        int discontinuities;
        int badDatagrams;
        int firstPid = -1;
        int secondPid = -1;
        Boolean firstVideoIsKeyframe;
        final Map<Integer, Integer> lastCc = new HashMap<>();

        static PacketCheck receive(DatagramSocket socket, long millis) throws Exception {
            PacketCheck c = new PacketCheck();
            socket.setSoTimeout(200);
            byte[] buffer = new byte[65_536];
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            // nothing before the first datagram counts towards the time: the push starts at the next keyframe
            while (c.datagrams == 0 || System.nanoTime() < end) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException quiet) {
                    if (c.datagrams == 0 && System.nanoTime() > end + TimeUnit.SECONDS.toNanos(10)) {
                        throw new AssertionError("no datagram from the push");
                    }
                    continue;
                }
                if (c.datagrams == 0) {
                    end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
                }
                c.datagram(p.getData(), p.getLength());
            }
            return c;
        }

        void datagram(byte[] d, int length) {
            datagrams++;
            if (length == 0 || length > 1316 || length % 188 != 0) {
                badDatagrams++;
                return;
            }
            for (int o = 0; o < length; o += 188) {
                packet(d, o);
            }
        }

        void packet(byte[] d, int o) {
            packets++;
            assertEquals(0x47, d[o] & 0xFF, "sync byte of packet " + packets);
            int pid = (d[o + 1] & 0x1F) << 8 | d[o + 2] & 0xFF;
            if (firstPid < 0) {
                firstPid = pid;
            } else if (secondPid < 0) {
                secondPid = pid;
            }
            int afc = (d[o + 3] >> 4) & 3;
            int cc = d[o + 3] & 0x0F;
            boolean pusi = (d[o + 1] & 0x40) != 0;
            if (pid == 0) {
                pats++;
            }
            boolean rai = false;
            if ((afc & 2) != 0 && (d[o + 4] & 0xFF) > 0) {
                int flags = d[o + 5] & 0xFF;
                discontinuities += (flags & 0x80) != 0 ? 1 : 0;
                rai = (flags & 0x40) != 0;
                pcrs += (flags & 0x10) != 0 ? 1 : 0;
            }
            if (pid == 0x100 && pusi && firstVideoIsKeyframe == null) {
                firstVideoIsKeyframe = rai;
            }
            if ((afc & 1) != 0) {
                Integer last = lastCc.put(pid, cc);
                if (last != null && cc != ((last + 1) & 0x0F)) {
                    ccErrors++;
                }
            }
        }

        void assertRight() {
            String summary = datagrams + " datagrams, " + packets + " packets, " + pats + " PATs, " + pcrs
                    + " PCRs, " + ccErrors + " continuity errors, " + discontinuities + " discontinuities";
            System.out.println("udp push, 3 s from its first datagram: " + summary);
            assertEquals(0, badDatagrams, "datagrams that are not whole packets within 1316 bytes: " + summary);
            assertEquals(List.of(0, 0x1000), List.of(firstPid, secondPid), "PAT and PMT first: " + summary);
            assertEquals(Boolean.TRUE, firstVideoIsKeyframe, "the first picture is a keyframe: " + summary);
            assertEquals(0, ccErrors, summary);
            assertEquals(0, discontinuities, summary);
            // every 100 ms is about 30 in 3 s, with keyframes alone it would be 3: the bound leaves room for a busy machine
            assertTrue(pats >= 20, "the PAT at least every 100 ms over 3 s: " + summary);
            assertTrue(pcrs >= 50, "a PCR with every picture (25 a second) over 3 s: " + summary);
            assertTrue(datagrams * 1316L * 8 / 3 > 200_000, "the stream's bitrate is there: " + summary);
        }
    }
}
