package io.cascade.deploy;

import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An edge node dies (SIGKILL, its own JVM, rtmpdump playing from it): a viewer on another edge sees no gap over
 * 1 s between frames, before, during or after.
 */
@Tag("cluster")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class EdgeKillIT {
    @Test
    void killingAnEdgeCostsOnlyItsOwnViewers() throws Exception {
        int clusterPort = Clients.freePort();
        int ingestRtmp = Clients.freePort();
        int goodEdgeRtmp = Clients.freePort();
        int victimRtmp = Clients.freePort();
        String cluster = "edgekill-" + clusterPort;
        CascadeNode ingest = new CascadeNode(NodeConfig.of(Clients.member(cluster, "ingest", "ingest", ingestRtmp,
                clusterPort, "")));
        CascadeNode goodEdge = new CascadeNode(NodeConfig.of(Clients.member(cluster, "good-edge", "edge", goodEdgeRtmp,
                Clients.freePort(), "127.0.0.1:" + clusterPort)));
        List<String> victimCmd = Clients.nodeProcess(Clients.flags(Clients.member(cluster, "victim-edge", "edge",
                victimRtmp, Clients.freePort(), "127.0.0.1:" + clusterPort)));
        Path dump = Files.createDirectories(Path.of("target", "interop-logs")).resolve("edge-rtmpdump.flv");
        Files.deleteIfExists(dump);
        try {
            ingest.start().await(60, TimeUnit.SECONDS);
            goodEdge.start().await(60, TimeUnit.SECONDS);
            try (ExternalProcess victim = ExternalProcess.start("node-victim-edge", victimCmd);
                 ExternalProcess pub = ExternalProcess.start("publish-edgekill", ffmpegPublish(rtmpUrl(ingestRtmp, "ek"), 60));
                 TestRtmpClient viewer = new TestRtmpClient(goodEdgeRtmp, 10_000)) {
                // a node in a JVM of its own, as deployed: on Linux its sockets run on the epoll transport
                victim.awaitOutput("cascade node victim-edge ready (epoll transport)", 40);
                ExternalProcess rtmpdump = ExternalProcess.start("rtmpdump-victim", List.of("rtmpdump", "-q", "-v",
                        "-r", rtmpUrl(victimRtmp, "ek"), "-o", dump.toString()));
                viewer.handshake(false);
                viewer.connect("live");
                viewer.command(viewer.createStream(), "play", null, "ek", -2.0);
                assertNotNull(viewer.readMedia(), "the good edge serves the stream: " + pub.describe());

                long maxGapMs = 0;
                long last = System.nanoTime();
                long killAt = last + TimeUnit.SECONDS.toNanos(4);
                long end = killAt + TimeUnit.SECONDS.toNanos(6);
                boolean killed = false;
                while (System.nanoTime() < end) {
                    if (!killed && System.nanoTime() >= killAt) {
                        assertTrue(Files.size(dump) > 100_000, "rtmpdump on the victim edge recorded the stream");
                        victim.kill();
                        killed = true;
                    }
                    RtmpMessage m = viewer.readMedia();
                    assertNotNull(m, "the good edge's viewer stopped getting frames");
                    long now = System.nanoTime();
                    maxGapMs = Math.max(maxGapMs, (now - last) / 1_000_000);
                    last = now;
                }
                System.out.printf("edge kill: largest gap between frames on the other edge: %d ms%n", maxGapMs);
                assertTrue(killed);
                assertTrue(maxGapMs < 1_000, "gap of " + maxGapMs + " ms on the surviving edge");
                // what rtmpdump recorded from the edge before it died is a stream ffprobe decodes
                rtmpdump.waitFor(10);
                ExternalProcess probe = ExternalProcess.run("ffprobe-edge", 30, List.of("ffprobe", "-v", "error",
                        "-count_frames", "-select_streams", "v", "-show_entries", "stream=codec_name,nb_read_frames",
                        "-of", "csv=p=0", dump.toString()));
                String[] video = probe.stdout().strip().split(",");
                assertTrue(video[0].equals("h264") && Integer.parseInt(video[1].strip()) > 50,
                        "rtmpdump's recording from the edge: " + probe.stdout() + probe.describe());
            }
        } finally {
            goodEdge.stop();
            ingest.stop();
        }
    }

}
