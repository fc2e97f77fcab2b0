package io.cascade.deploy;

import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.Await;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Viewers that never read, and one per protocol that reads a tenth of the bitrate, beside normal viewers of the same
 * stream on RTMP, HTTP-FLV and WebSocket: 300 RTMP viewers (100 that never read, 1 slow, 199 normal), and 100 + 1 +
 * normal ones on each of the other two. The normal viewers lose no frame; the others lose frames, then their
 * connection, and both are counted.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowReadersIT {
    private static final String STREAM = "busy";
    private static final int STALLED = 100;
    private static final int NORMAL_RTMP_READERS = 197; // + 2 ffmpeg players + 1 slow + 100 stalled = 300
    private static final int NORMAL_WS = 5;
    private static final int SECONDS = 12;
    private static final long MAX_BEHIND_MS = 3_000;
    /** A socket receive buffer small enough that a viewer who does not read stalls the server at once. */
    private static final int SMALL_BUFFER = 2048;

    @Test
    void stalledAndSlowViewersOfEveryProtocolCostOnlyThemselves() throws Exception {
        int rtmp = Clients.freePort();
        int http = Clients.freePort();
        CascadeNode node = Clients.startSingle("slow-readers", rtmp, http, "viewer.queue.bytes", String.valueOf(512 << 10),
                "viewer.socket.send.bytes", String.valueOf(32 << 10), "viewer.max.behind.ms", String.valueOf(MAX_BEHIND_MS));
        List<AutoCloseable> open = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(NORMAL_RTMP_READERS + 3);
        try (ExternalProcess pub = ExternalProcess.start("publish-busy", ffmpegPublish(rtmpUrl(rtmp, STREAM), 90))) {
            Await.until(Duration.ofSeconds(20), () -> node.counters().ingestStreamBytes.get(STREAM), b -> b != null,
                    b -> STREAM + " never went live: " + pub.describe());
            long before = node.counters().ingestStreamBytes.get(STREAM).sum();
            Thread.sleep(2_000);
            long bitsPerSecond = (node.counters().ingestStreamBytes.get(STREAM).sum() - before) * 8 / 2;

            List<Stalled> stalled = new ArrayList<>();
            for (int i = 0; i < STALLED; i++) {
                stalled.add(Stalled.rtmp(rtmp));
                stalled.add(Stalled.http("flv", http, "/" + STREAM + ".flv", ""));
                stalled.add(Stalled.http("ws", http, "/" + STREAM + "/ws", Clients.WS_UPGRADE_HEADERS));
            }
            open.addAll(stalled);
            // one slow reader per protocol: a tenth of the bitrate
            long slowBytesPerSecond = bitsPerSecond / 8 / 10;
            List<Future<Long>> slow = List.of(
                    readers.submit(() -> Slow.rtmp(rtmp, slowBytesPerSecond, SECONDS)),
                    readers.submit(() -> Slow.http(http, "/" + STREAM + ".flv", "", slowBytesPerSecond, SECONDS)),
                    readers.submit(() -> Slow.http(http, "/" + STREAM + "/ws", Clients.WS_UPGRADE_HEADERS,
                            slowBytesPerSecond, SECONDS)));

            // the normal viewers, all over the same window
            List<Future<Integer>> rtmpReaders = new ArrayList<>();
            for (int i = 0; i < NORMAL_RTMP_READERS; i++) {
                rtmpReaders.add(readers.submit(() -> videoFramesRead(rtmp, SECONDS)));
            }
            List<WsCounter> ws = new ArrayList<>();
            for (int i = 0; i < NORMAL_WS; i++) {
                ws.add(WsCounter.open(http, STREAM));
                open.add(ws.get(i));
            }
            Thread.sleep(2_000); // every WebSocket viewer is playing: from here, count what each gets
            long[] wsAtStart = ws.stream().mapToLong(WsCounter::messages).toArray();
            List<ExternalProcess> players = List.of(
                    ExternalProcess.start("play-busy-rtmp-1", ffmpegDecode(rtmpUrl(rtmp, STREAM), SECONDS)),
                    ExternalProcess.start("play-busy-rtmp-2", ffmpegDecode(rtmpUrl(rtmp, STREAM), SECONDS)),
                    ExternalProcess.start("play-busy-flv", ffmpegDecode("http://127.0.0.1:" + http + "/" + STREAM + ".flv",
                            SECONDS)));

            StringBuilder figures = new StringBuilder("slow readers: stream " + bitsPerSecond / 1000 + " kbit/s");
            for (ExternalProcess p : players) {
                assertEquals(0, p.waitFor(SECONDS + 40), p.describe());
                long video = countLines(p.stdout(), "0,");
                figures.append(", ").append(p.describe().split(" ")[0]).append(" decoded ").append(video);
                assertTrue(video >= SECONDS * 25L - 5, "a normal player lost frames: " + video + " of " + SECONDS * 25);
            }
            int fewest = Integer.MAX_VALUE;
            for (Future<Integer> r : rtmpReaders) {
                fewest = Math.min(fewest, r.get(SECONDS + 30, TimeUnit.SECONDS));
            }
            figures.append(", fewest video frames of the ").append(NORMAL_RTMP_READERS).append(" RTMP readers in ")
                    .append(SECONDS).append(" s: ").append(fewest);
            assertTrue(fewest >= SECONDS * 25L - 10, figures.toString());
            long[] wsInWindow = new long[ws.size()];
            for (int i = 0; i < ws.size(); i++) {
                wsInWindow[i] = ws.get(i).messages() - wsAtStart[i];
            }
            long wsMost = java.util.Arrays.stream(wsInWindow).max().orElse(0);
            long wsFewest = java.util.Arrays.stream(wsInWindow).min().orElse(0);
            figures.append(", WebSocket messages over the same window ").append(wsFewest).append("..").append(wsMost);
            // each counts what arrived by the moment it is read: a few frames apart at most
            assertTrue(wsFewest > 8 * 25 && wsMost - wsFewest <= 5, figures.toString());

            for (Future<Long> s : slow) {
                figures.append(", a slow reader got ").append(s.get(SECONDS + 30, TimeUnit.SECONDS)).append(" bytes");
            }
            // every viewer that never read is closed once it was behind for max.behind (or missed its pings)
            long gone = 0;
            java.util.Map<String, Integer> stillOpen = new java.util.TreeMap<>();
            for (Stalled s : stalled) {
                if (s.closedByServerWithin(500)) { // the window is long past their max.behind: closed by now
                    gone++;
                } else {
                    stillOpen.merge(s.kind(), 1, Integer::sum);
                }
            }
            figures.append(", stalled viewers closed ").append(gone).append(" of ").append(stalled.size())
                    .append(" (still open: ").append(stillOpen).append(")")
                    .append(", frames dropped ").append(node.counters().framesDroppedSlowViewer.sum())
                    .append(", disconnected as slow ").append(node.counters().viewersDisconnectedSlow.sum());
            System.out.println(figures);
            assertEquals(stalled.size(), gone, figures.toString());
            assertTrue(node.counters().framesDroppedSlowViewer.sum() > 0, figures.toString());
            assertTrue(node.counters().viewersDisconnectedSlow.sum() >= 2L * STALLED, figures.toString());
            assertTrue(pub.isAlive(), "the publisher went on: " + pub.describe());
        } finally {
            readers.shutdownNow();
            for (AutoCloseable c : open) {
                c.close();
            }
            node.stop();
        }
    }

    /** Plays over RTMP and counts the video frames that arrive in {@code seconds}. */
    private static int videoFramesRead(int rtmp, int seconds) throws IOException {
        try (TestRtmpClient c = new TestRtmpClient(rtmp, 5_000)) {
            c.handshake(false);
            c.connect("live");
            c.command(c.createStream(), "play", null, STREAM, -2.0);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            int video = 0;
            boolean started = false;
            while (System.nanoTime() < end) {
                RtmpMessage m = c.readMedia();
                if (m == null) {
                    break;
                }
                boolean config = m.payload().length > 1 && (m.payload()[1] == 0); // AVC sequence header
                if (m.typeId() == MessageType.VIDEO && !config) {
                    if (!started) {
                        started = true; // the window starts at the first picture
                        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                    }
                    video++;
                }
            }
            return video;
        }
    }

    /** A viewer that asks to play and never reads a byte; its small receive buffer fills at once. */
    private record Stalled(String kind, Socket socket, TestRtmpClient rtmp) implements AutoCloseable {
        static Stalled rtmp(int port) throws IOException {
            TestRtmpClient c = new TestRtmpClient(port, 10_000, SMALL_BUFFER);
            c.handshake(false);
            c.connect("live");
            c.command(c.createStream(), "play", null, STREAM, -2.0);
            return new Stalled("rtmp", null, c);
        }

        static Stalled http(String kind, int port, String path, String headers) throws IOException {
            Socket s = smallBufferSocket(port);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new Stalled(kind, s, null);
        }

        /** Reads what is buffered, then whether the server closes the connection within {@code ms}. */
        boolean closedByServerWithin(long ms) throws IOException {
            if (rtmp != null) {
                rtmp.setReadTimeout((int) ms);
                return rtmp.closedByServer();
            }
            socket.setSoTimeout((int) ms);
            byte[] buf = new byte[16384];
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            try {
                InputStream in = socket.getInputStream();
                while (in.read(buf) >= 0) {
                    if (System.nanoTime() > end) {
                        return false; // still sending: this viewer was never given up on
                    }
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            if (rtmp != null) {
                rtmp.close();
            } else {
                socket.close();
            }
        }
    }

    /** Viewers that read {@code bytesPerSecond}, in a read every 100 ms; the bytes they got. */
    private static final class Slow {
        static long rtmp(int port, long bytesPerSecond, int seconds) throws Exception {
            try (TestRtmpClient c = new TestRtmpClient(port, 10_000, SMALL_BUFFER)) {
                c.handshake(false);
                c.connect("live");
                c.command(c.createStream(), "play", null, STREAM, -2.0);
                return trickle(c.input(), bytesPerSecond, seconds);
            }
        }

        static long http(int port, String path, String headers, long bytesPerSecond, int seconds) throws Exception {
            try (Socket s = smallBufferSocket(port)) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return trickle(s.getInputStream(), bytesPerSecond, seconds);
            }
        }

        static long trickle(InputStream in, long bytesPerSecond, int seconds) throws Exception {
            long got = 0;
            byte[] buf = new byte[(int) Math.max(1, bytesPerSecond / 10)];
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            try {
                while (System.nanoTime() < end) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break; // the server gave up on this reader
                    }
                    got += n;
                    Thread.sleep(100);
                }
            } catch (IOException reset) {
                // the server gave up on this reader with a reset: what it got stands
            }
            return got;
        }
    }

    private static Socket smallBufferSocket(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(SMALL_BUFFER);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    /** A WebSocket player (the JDK's client, which answers pings) that counts the binary messages it gets. */
    private static final class WsCounter implements WebSocket.Listener, AutoCloseable {
        private final AtomicLong messages = new AtomicLong();
        private WebSocket socket;

        static WsCounter open(int http, String stream) throws Exception {
            WsCounter counter = new WsCounter();
            counter.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + http + "/" + stream + "/ws"), counter)
                    .get(10, TimeUnit.SECONDS);
            return counter;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (last) {
                messages.incrementAndGet();
            }
            webSocket.request(1);
            return null;
        }

        long messages() {
            return messages.get();
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
