package io.cascade.deploy;

import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of clients that connect and then vanish (a reset, no goodbye) on every protocol the node speaks leave
 * nothing behind: file descriptors, threads, heap after a full GC and direct memory come back to where they were
 * before. The node runs in a JVM of its own, so the figures are its alone.
 */
@Tag("interop")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ChurnIT {
    /** Connections per protocol: seven protocols, so 7 x this in all. */
    private static final int ROUNDS = 300;
    private static final String STREAM = "churn";
    /** How long a client reads on after the server went quiet: an answer shorter than what it reads for is done. */
    private static final int QUIET_MS = 300;

    @Test
    void abruptClientsOnEveryProtocolLeaveNothingBehind() throws Exception {
        int rtmp = Clients.freePort();
        int rtsp = Clients.freePort();
        int http = Clients.freePort();
        int ts = Clients.freePort();
        int api = Clients.freePort();
        List<String> cmd = new ArrayList<>(Clients.nodeProcess("--node.name=churn", "--bind.host=127.0.0.1",
                "--rtmp.port=" + rtmp, "--rtsp.port=" + rtsp, "--http.port=" + http, "--api.port=" + api,
                "--ts.tcp.port=" + ts, "--cluster.port=" + Clients.freePort(), "--cluster.name=churn-" + rtmp,
                // what a vanished client leaves lingers this long by design: the test waits it out
                "--http.linger.ms=1000", "--edge.linger.ms=500", "--ts.idle.ms=500"));
        try (ExternalProcess node = ExternalProcess.start("node-churn", cmd)) {
            node.awaitOutput("cascade node churn ready", 40);
            ExternalProcess pub = ExternalProcess.start("publish-churn", ffmpegPublish(rtmpUrl(rtmp, STREAM), 200));
            Clients.awaitLive(api, STREAM, true, pub);
            Churn churn = new Churn(rtmp, rtsp, http, ts);
            churn.run(ROUNDS / 5, 8); // warm-up: pools, JIT, lazily made objects
            Figures before = Figures.of(node, http);
            int playsBefore = churn.playsWithMedia().get();
            AtomicInteger done = churn.run(ROUNDS, 8);
            int plays = churn.playsWithMedia().get() - playsBefore;
            Figures during = Figures.of(node, http);
            Thread.sleep(3_000); // the lingers above, twice over
            Figures after = Figures.of(node, http);
            String report = String.format("churn: %d abrupt connections (%d RTMP plays got media before they went);"
                    + " before %s; right after %s; 3 s later %s", done.get(), plays, before, during, after);
            System.out.println(report);
            assertEquals(7 * ROUNDS, done.get(), report);
            assertTrue(plays >= ROUNDS * 9 / 10, report);
            assertTrue(after.fds <= before.fds + 8, "descriptors: " + report);
            assertTrue(after.threads <= before.threads + 4, "threads: " + report);
            assertTrue(after.heap <= before.heap * 1.2 + (8 << 20), "heap after GC: " + report);
            assertTrue(after.direct <= before.direct + (8 << 20), "direct memory: " + report);
            assertTrue(after.viewers == 0, "viewers left: " + report);
            assertTrue(pub.isAlive(), "the publisher went on: " + pub.describe());
            assertTrue(node.isAlive(), node.stdout());
            pub.close();
        }
    }

    /** A node's figures, read after a full GC: descriptors and threads from /proc, memory from its /metrics. */
    private record Figures(long fds, long threads, double heap, double direct, double viewers) {
        static Figures of(ExternalProcess node, int http) throws Exception {
            ExternalProcess gc = ExternalProcess.run("jcmd-gc", 30, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(node.pid()),
                    "GC.run"));
            assertEquals(0, gc.exitCode(), gc.describe());
            long fds;
            try (Stream<Path> list = Files.list(Path.of("/proc", String.valueOf(node.pid()), "fd"))) {
                fds = list.count();
            }
            long threads = Files.readAllLines(Path.of("/proc", String.valueOf(node.pid()), "status")).stream()
                    .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).trim()))
                    .findFirst().orElseThrow();
            PromText m = PromText.scrape(http);
            double heap = m.find("jvm_memory_used_bytes", "area", "heap").stream().mapToDouble(PromText.Sample::value).sum();
            double viewers = m.find("cascade_viewers").stream().mapToDouble(PromText.Sample::value).sum();
            return new Figures(fds, threads, heap, m.value("jvm_buffer_memory_used_bytes", "id", "direct"), viewers);
        }

        @Override
        public String toString() {
            return String.format("%d fds, %d threads, heap %.1f MiB, direct %.1f MiB, %.0f viewers", fds, threads,
                    heap / 1048576, direct / 1048576, viewers);
        }
    }

    /** Clients of every protocol that send a little, read a little and reset their connection. */
    private record Churn(int rtmp, int rtsp, int http, int ts, AtomicInteger playsWithMedia) {
        Churn(int rtmp, int rtsp, int http, int ts) {
            this(rtmp, rtsp, http, ts, new AtomicInteger());
        }

        AtomicInteger run(int rounds, int threads) throws Exception {
            AtomicInteger done = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> all = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    int round = i;
                    all.add(pool.submit(() -> {
                        rtmpPlay();
                        rtmpHalfHandshake(round);
                        raw(rtsp, "DESCRIBE rtsp://127.0.0.1:" + rtsp + "/" + STREAM + " RTSP/1.0\r\nCSeq: 1\r\n\r\n", 2048);
                        raw(http, "GET /" + STREAM + ".flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 32 << 10);
                        raw(http, "GET /" + STREAM + "/index.m3u8 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 1024);
                        raw(http, "GET /" + STREAM + "/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + Clients.WS_UPGRADE_HEADERS + "\r\n", 16 << 10);
                        tsPublisher(round);
                        done.addAndGet(7);
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            return done;
        }

        /** A player that gets as far as its first media, then resets. */
        private void rtmpPlay() throws IOException {
            try (TestRtmpClient c = new TestRtmpClient(rtmp, 10_000)) {
                c.handshake(false);
                c.connect("live");
                int id = c.createStream();
                c.command(id, "play", null, STREAM, -2.0);
                if (c.readMedia() != null) {
                    playsWithMedia.incrementAndGet();
                }
                c.abort();
            }
        }

        /** C0 and C1, then gone before C2. */
        private void rtmpHalfHandshake(int round) throws IOException {
            byte[] c0c1 = new byte[1537];
            new Random(round).nextBytes(c0c1);
            c0c1[0] = 3;
            try (Socket s = socket(rtmp)) {
                s.getOutputStream().write(c0c1);
                readUpTo(s, 3073);
            }
        }

        /** A publisher of MPEG-TS over TCP that sends a few packets (null packets: in sync, carrying nothing). */
        private void tsPublisher(int round) throws IOException {
            byte[] packets = new byte[188 * 20];
            for (int p = 0; p < 20; p++) {
                packets[p * 188] = 0x47;
                packets[p * 188 + 1] = 0x1f;
                packets[p * 188 + 2] = (byte) 0xff;
                packets[p * 188 + 3] = (byte) (0x10 | (p & 0x0f));
            }
            try (Socket s = socket(ts)) {
                s.getOutputStream().write(packets);
            }
        }

        private static void raw(int port, String request, int readBytes) throws IOException {
            try (Socket s = socket(port)) {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                readUpTo(s, readBytes);
            }
        }

        /** A socket that resets on close: SO_LINGER 0, the way a crashed or killed client goes. */
        private static Socket socket(int port) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoLinger(true, 0);
            s.setSoTimeout(QUIET_MS);
            return s;
        }

        private static void readUpTo(Socket s, int bytes) throws IOException {
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[8192];
            int got = 0;
            try {
                while (got < bytes) {
                    int n = in.read(buffer, 0, Math.min(buffer.length, bytes - got));
                    if (n < 0) {
                        return;
                    }
                    got += n;
                }
            } catch (SocketTimeoutException e) {
                // the whole answer was shorter (a DESCRIBE, a playlist): the client goes anyway
            }
        }
    }
}
