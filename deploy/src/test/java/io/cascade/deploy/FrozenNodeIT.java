package io.cascade.deploy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
@Timeout(value = 150, unit = TimeUnit.SECONDS)
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

    /** About 3 Mbit/s (CBR with filler), so the small in-flight bound is reached within a second of freezing. */
    private static List<String> highBitrate(String url) {
        List<String> cmd = new ArrayList<>(ffmpegPublish(url, 60));
        int at = cmd.indexOf("-c:a");
        cmd.addAll(at, List.of("-b:v", "3M", "-minrate", "3M", "-maxrate", "3M", "-bufsize", "1M",
                "-x264-params", "nal-hrd=cbr"));
        return cmd;
    }

}
