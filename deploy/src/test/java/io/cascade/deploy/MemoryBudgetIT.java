package io.cascade.deploy;

import io.cascade.testing.Await;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node with a small heap takes 8 Mbit/s publishers one after another until its memory budget refuses one: it never
 * runs out of memory, answers /metrics and /readyz within a second throughout, keeps its viewer decoding, counts
 * the refusal, and takes publishers again once some leave.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemoryBudgetIT {
    /** Far more than the budget below takes: the test fails rather than adding publishers for ever. */
    private static final int MAX_PUBLISHERS = 24;
    private static final String HEAP = "-Xmx160m";
    /** Half the heap, the default budget. */
    private static final long BUDGET_BYTES = 80L << 20;
    private static final int VIEWER_SECONDS = 40;

    @Test
    void publishersPastTheBudgetAreRefusedAndTheNodeKeepsServing(@TempDir Path dir) throws Exception {
        Path clip = Clients.noiseClip(dir, 8);
        double clipMbps = Files.size(clip) * 8 / 4 / 1e6;
        int rtmp = Clients.freePort();
        int http = Clients.freePort();
        int api = Clients.freePort();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-XX:MaxDirectMemorySize=64m", "-cp", System.getProperty("java.class.path"), CascadeNode.class.getName(),
                "--bind.host=127.0.0.1", "--rtmp.port=" + rtmp, "--rtsp.port=0", "--http.port=" + http,
                "--api.port=" + api, "--node.name=full", "--cluster.port=" + Clients.freePort(),
                "--cluster.name=full-" + rtmp);
        List<ExternalProcess> publishers = new ArrayList<>();
        ExternalProcess node = ExternalProcess.start("node-full", cmd);
        Probe probe = new Probe(http);
        try {
            node.awaitOutput("cascade node full ready", 30);
            assertTrue(node.stdout().contains("memory budget: frame bytes 0 of 80 MiB, direct memory"), node.stdout());
            probe.start();

            publishers.add(publish(rtmp, clip, "s1"));
            Clients.awaitLive(api, "s1", true, publishers.get(0));
            ExternalProcess viewer = ExternalProcess.start("play-full-s1", ffmpegDecode(rtmpUrl(rtmp, "s1"), VIEWER_SECONDS));

            // one more publisher every 2 s until one is refused: the caches of the earlier ones fill meanwhile
            ExternalProcess refused = null;
            for (int n = 2; refused == null; n++) {
                assertTrue(n <= MAX_PUBLISHERS, "no publisher refused after " + MAX_PUBLISHERS + ": " + node.stdout());
                ExternalProcess p = publish(rtmp, clip, "s" + n);
                publishers.add(p);
                Thread.sleep(2_000);
                if (!p.isAlive()) {
                    refused = p;
                }
            }
            int admitted = publishers.size() - 1;
            assertTrue(refused.stderr().contains("The server is full"), refused.describe());
            String log = node.stdout();
            assertTrue(log.contains("memory: the node is full, new publishers are refused and /readyz is 503"), log);
            assertTrue(log.contains("publish refused (rtmp), the node is full: frame bytes"), log);
            assertTrue(admitted >= 3, "the budget took " + admitted + " publishers of 8 Mbit/s");
            assertEquals(503, probe.lastReady.get(), "/readyz while full");
            PromText full = PromText.scrape(http);
            assertEquals(1.0, full.value("cascade_publish_refusals_total", "reason", "node_full"),
                    full.lines("cascade_publish_refusals_total"));
            assertEquals(1.0, full.value("cascade_node_full"));
            double held = full.value("cascade_memory_held_bytes");
            assertTrue(held >= BUDGET_BYTES * 0.8, "held " + held + " bytes when full"); // full until under 80 %

            // the admitted streams go on filling their caches: past the budget they shrink instead of growing
            Thread.sleep(12_000);
            PromText later = PromText.scrape(http);
            assertTrue(later.value("cascade_memory_held_bytes") <= BUDGET_BYTES * 1.05,
                    later.lines("cascade_memory_held_bytes") + " with " + admitted + " publishers");
            assertTrue(later.value("cascade_memory_shrinks_total") > 0, later.lines("cascade_memory_shrinks_total"));
            assertTrue(node.stdout().contains("memory: at the budget, caches and windows dropped"), node.stdout());

            assertEquals(0, viewer.waitFor(VIEWER_SECONDS + 30), viewer.describe());
            long video = countLines(viewer.stdout(), "0,");
            assertTrue(video >= VIEWER_SECONDS * 25L * 9 / 10, "the viewer of s1 decoded " + video + " video frames");
            assertTrue(viewer.stderr().isBlank(), "decode errors: " + viewer.stderr());

            // publishers leave: the node takes new ones again
            for (int i = publishers.size() - 2; i >= admitted / 2 && i > 0; i--) {
                publishers.get(i).stop();
            }
            String nodeLog = node.stdout();
            Await.until(Duration.ofSeconds(10), () -> probe.lastReady.get(), s -> s == 200,
                    s -> "/readyz still " + s + " after publishers left: " + nodeLog);
            ExternalProcess again = publish(rtmp, clip, "again");
            publishers.add(again);
            Clients.awaitLive(api, "again", true, again);

            probe.stop();
            assertEquals(0, probe.failures.get(), probe.describe());
            assertTrue(probe.slowest.get() < 1_000, probe.describe());
            assertTrue(probe.samples.get() >= 40, probe.describe());
            String all = node.stdout() + node.stderr();
            assertFalse(all.contains("OutOfMemoryError"), all);
            System.out.printf("memory budget: %d publishers of %.1f Mbit/s admitted on a 160 MiB heap, the next refused"
                            + " (%.0f MiB held of 80); 12 s later %.0f MiB held, %.0f shrinks; the viewer decoded %d video"
                            + " frames in %d s; /metrics and /readyz: %s%n", admitted, clipMbps, held / 1048576,
                    later.value("cascade_memory_held_bytes") / 1048576, later.value("cascade_memory_shrinks_total"),
                    video, VIEWER_SECONDS, probe.describe());
            assertTrue(node.isAlive(), all);
        } finally {
            probe.stop();
            for (ExternalProcess p : publishers) {
                p.close();
            }
            node.close();
        }
    }

    private static ExternalProcess publish(int rtmp, Path clip, String stream) throws Exception {
        return ExternalProcess.start("publish-full-" + stream, Clients.ffmpegPublishClip(clip, rtmpUrl(rtmp, stream), 120));
    }

    /** /metrics and /readyz, each asked every 250 ms with a 1 s timeout, on a thread of its own. */
    private static final class Probe {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        private final int http;
        private final AtomicBoolean running = new AtomicBoolean();
        final AtomicInteger samples = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicLong slowest = new AtomicLong();
        final AtomicInteger lastReady = new AtomicInteger();
        private volatile String lastFailure = "";
        private Thread thread;

        Probe(int http) {
            this.http = http;
        }

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    ask("/metrics");
                    lastReady.set(ask("/readyz"));
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "memory-probe");
            thread.start();
        }

        private int ask(String path) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                samples.incrementAndGet();
                return r.statusCode();
            } catch (Exception e) {
                failures.incrementAndGet();
                lastFailure = path + ": " + e;
                return -1;
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(5_000);
            }
        }

        String describe() {
            return samples.get() + " answers, " + failures.get() + " failures (last: " + lastFailure + "), slowest "
                    + slowest.get() + " ms";
        }
    }
}
