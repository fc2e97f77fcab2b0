package io.cascade.deploy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An edge node freezes (SIGSTOP, its own JVM) while it is subscribed: what the ingest node holds in flight for it
 * stays within the bound, frames for it are dropped and counted, and a viewer on another edge loses nothing.
 */
@Tag("cluster")
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class FrozenNodeIT {
    private static final long IN_FLIGHT_BOUND = 256 << 10;

    @Test
    void aFrozenEdgeCostsTheIngestNodeABoundedAmountOfMemory() throws Exception {
        int clusterPort = Clients.freePort();
        int ingestRtmp = Clients.freePort();
        int goodEdgeRtmp = Clients.freePort();
        int frozenEdgeRtmp = Clients.freePort();
        String cluster = "frozen-" + clusterPort;
        CascadeNode ingest = new CascadeNode(NodeConfig.of(Clients.member(cluster, "ingest", "ingest", ingestRtmp,
                clusterPort, "", "cluster.feed.max.inflight.bytes", String.valueOf(IN_FLIGHT_BOUND))));
        CascadeNode goodEdge = new CascadeNode(NodeConfig.of(Clients.member(cluster, "good-edge", "edge", goodEdgeRtmp,
                Clients.freePort(), "127.0.0.1:" + clusterPort)));
        List<String> frozenCmd = Clients.nodeProcess(Clients.flags(Clients.member(cluster, "frozen-edge", "edge",
                frozenEdgeRtmp, Clients.freePort(), "127.0.0.1:" + clusterPort)));
        try {
            ingest.start().await(60, TimeUnit.SECONDS);
            goodEdge.start().await(60, TimeUnit.SECONDS);
            try (ExternalProcess frozen = ExternalProcess.start("node-frozen-edge", frozenCmd);
                 ExternalProcess pub = ExternalProcess.start("publish-frozen", highBitrate(rtmpUrl(ingestRtmp, "cold")))) {
                frozen.awaitOutput("cascade node frozen-edge ready", 40);
                try (ExternalProcess frozenViewer = ExternalProcess.start("play-frozen",
                        ffmpegDecode(rtmpUrl(frozenEdgeRtmp, "cold"), 60))) {
                    frozen.awaitOutput("play started: cold", 40);
                    ExternalProcess goodViewer = ExternalProcess.start("play-good", ffmpegDecode(rtmpUrl(goodEdgeRtmp, "cold"), 14));
                    Thread.sleep(2_000); // both edges play for a while before one of them freezes
                    new ProcessBuilder("kill", "-STOP", String.valueOf(frozen.pid())).start().waitFor(5, TimeUnit.SECONDS);
                    long maxInFlight = 0;
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                    while (System.nanoTime() < until) {
                        maxInFlight = Math.max(maxInFlight, ingest.counters().eventBusInFlightBytes.sum());
                        Thread.sleep(50); // a sample every 50 ms over the 8 s the edge stays frozen
                    }
                    long dropped = ingest.counters().framesDroppedQueueFull.sum();
                    new ProcessBuilder("kill", "-CONT", String.valueOf(frozen.pid())).start().waitFor(5, TimeUnit.SECONDS);

                    assertEquals(0, goodViewer.waitFor(30), goodViewer.describe());
                    System.out.printf("frozen edge: at most %d bytes in flight on the ingest node (bound %d per node), %d frames"
                            + " dropped for it; the other edge's viewer decoded %d video frames in 14 s%n", maxInFlight,
                            IN_FLIGHT_BOUND, dropped, countLines(goodViewer.stdout(), "0,"));
                    // the gauge is the ingest node's total: each of the two subscribed edges has its own bound
                    assertTrue(maxInFlight <= 2 * IN_FLIGHT_BOUND, "in flight: " + maxInFlight);
                    assertTrue(dropped > 0, "frames for the frozen node were dropped and counted");
                    assertTrue(countLines(goodViewer.stdout(), "0,") >= 14 * 25 - 10,
                            "the other edge's viewer lost frames: " + countLines(goodViewer.stdout(), "0,"));
                }
            }
        } finally {
            goodEdge.stop();
            ingest.stop();
        }
    }

    /**
     * The same freeze seen from the ingest node's own JVM: a 6 Mbit/s stream, an edge frozen for 20 s. What the
     * ingest node cannot send the frozen edge must not pile up in its memory: its direct memory (where the event
     * bus's unsent bytes would wait) and its heap after a full GC end the freeze within a few MiB of where they began,
     * while 15 MB were published meanwhile.
     */
    @Test
    void aFrozenEdgeLeavesTheIngestNodesHeapAndDirectMemoryWhereTheyWere(@TempDir Path dir) throws Exception {
        Path clip = Clients.noiseClip(dir, 6);
        int clusterPort = Clients.freePort();
        int ingestRtmp = Clients.freePort();
        int ingestHttp = Clients.freePort();
        int frozenEdgeRtmp = Clients.freePort();
        String cluster = "frozen-mem-" + clusterPort;
        List<String> ingestCmd = Clients.nodeProcess(Clients.flags(Clients.member(cluster, "ingest", "ingest",
                ingestRtmp, clusterPort, "", "http.port", String.valueOf(ingestHttp))));
        List<String> frozenCmd = Clients.nodeProcess(Clients.flags(Clients.member(cluster, "frozen-edge", "edge",
                frozenEdgeRtmp, Clients.freePort(), "127.0.0.1:" + clusterPort)));
        try (ExternalProcess ingest = ExternalProcess.start("node-frozen-mem-ingest", ingestCmd)) {
            ingest.awaitOutput("cascade node ingest ready", 40);
            try (ExternalProcess frozen = ExternalProcess.start("node-frozen-mem-edge", frozenCmd);
                 ExternalProcess pub = ExternalProcess.start("publish-frozen-mem",
                         Clients.ffmpegPublishClip(clip, rtmpUrl(ingestRtmp, "heavy"), 120))) {
                frozen.awaitOutput("cascade node frozen-edge ready", 40);
                try (ExternalProcess viewer = ExternalProcess.start("play-frozen-mem",
                        ffmpegDecode(rtmpUrl(frozenEdgeRtmp, "heavy"), 90))) {
                    frozen.awaitOutput("play started: heavy", 40);
                    Thread.sleep(16_000); // the ingest node's segment cache is full: it holds what it will hold
                    Memory before = Memory.of(ingest, ingestHttp);
                    new ProcessBuilder("kill", "-STOP", String.valueOf(frozen.pid())).start().waitFor(5, TimeUnit.SECONDS);
                    double directPeak = 0;
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < until) {
                        directPeak = Math.max(directPeak, PromText.scrape(ingestHttp)
                                .value("jvm_buffer_memory_used_bytes", "id", "direct"));
                        Thread.sleep(500);
                    }
                    Memory after = Memory.of(ingest, ingestHttp);
                    new ProcessBuilder("kill", "-CONT", String.valueOf(frozen.pid())).start().waitFor(5, TimeUnit.SECONDS);
                    String figures = String.format("frozen edge, ingest node's JVM: direct %.1f MiB before, at most %.1f"
                                    + " MiB during 20 s, %.1f after a full GC; live heap %.1f then %.1f MiB",
                            before.direct / MIB, directPeak / MIB, after.direct / MIB, before.heap / MIB, after.heap / MIB);
                    System.out.println(figures);
                    assertTrue(after.direct - before.direct < 4 * MIB, figures);
                    assertTrue(directPeak - before.direct < 8 * MIB, figures);
                    assertTrue(after.heap - before.heap < 8 * MIB, figures);
                    assertTrue(ingest.isAlive() && pub.isAlive(), "the ingest node and its publisher went on");
                }
            }
        }
    }

    private static final double MIB = 1 << 20;

    /**
     * A node's live heap, as the class histogram counts it after the full GC it runs first ({@code jcmd
     * GC.class_histogram}: the objects still reachable, not what the running node allocated since), and its direct
     * memory from its /metrics once the cleaner freed the buffers that collection found unreachable.
     */
    private record Memory(double heap, double direct) {
        static Memory of(ExternalProcess node, int http) throws Exception {
            ExternalProcess histogram = ExternalProcess.run("jcmd-histogram", 30, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(node.pid()),
                    "GC.class_histogram"));
            assertEquals(0, histogram.exitCode(), histogram.describe());
            String total = histogram.stdout().lines().filter(l -> l.startsWith("Total")).findFirst()
                    .orElseThrow(() -> new AssertionError("no total in the histogram: " + histogram.describe()));
            String[] fields = total.trim().split("\\s+");
            Thread.sleep(500);
            PromText m = PromText.scrape(http);
            return new Memory(Double.parseDouble(fields[fields.length - 1]),
                    m.value("jvm_buffer_memory_used_bytes", "id", "direct"));
        }
    }

    /** About 3 Mbit/s (CBR with filler), so the small in-flight bound is reached within a second of freezing. */
    private static List<String> highBitrate(String url) {
        List<String> cmd = new ArrayList<>(ffmpegPublish(url, 60));
        int at = cmd.indexOf("-c:a");
        cmd.addAll(at, List.of("-b:v", "3M", "-minrate", "3M", "-maxrate", "3M", "-bufsize", "1M",
                "-x264-params", "nal-hrd=cbr"));
        return cmd;
    }

}
