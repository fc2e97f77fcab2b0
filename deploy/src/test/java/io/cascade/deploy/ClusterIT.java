package io.cascade.deploy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two nodes of one cluster in one JVM: published on the ingest node, played on the edge-only node. */
@Tag("cluster")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterIT {
    @Test
    void framesCrossNodesOnTheClusteredEventBus() throws Exception {
        int ingestRtmp = Clients.freePort();
        int edgeRtmp = Clients.freePort();
        int ingestCluster = Clients.freePort();
        String name = "cluster-it-" + ingestCluster;
        CascadeNode ingest = new CascadeNode(NodeConfig.of(Clients.member(name, "ingest-1", "ingest,origin",
                ingestRtmp, ingestCluster, "")));
        CascadeNode edge = new CascadeNode(NodeConfig.of(Clients.member(name, "edge-1", "edge",
                edgeRtmp, Clients.freePort(), "127.0.0.1:" + ingestCluster)));
        try {
            ingest.start().await(60, TimeUnit.SECONDS);
            edge.start().await(60, TimeUnit.SECONDS);
            assertEquals(2, edge.clusterMembers());
            assertEquals(2, ingest.clusterMembers());
            try (ExternalProcess pub = ExternalProcess.start("publish-cluster",
                    ffmpegPublish(rtmpUrl(ingestRtmp, "across"), 60))) {
                // the edge waits for the name to go live, then gets the GOP from the ingest node and live frames
                ExternalProcess play = ExternalProcess.run("play-edge", 40, ffmpegDecode(rtmpUrl(edgeRtmp, "across"), 4));
                assertEquals(0, play.exitCode(), play.describe() + "\n" + pub.describe());
                assertTrue(countLines(play.stdout(), "0,") >= 75, "video frames via the edge: "
                        + countLines(play.stdout(), "0,"));
                assertTrue(countLines(play.stdout(), "1,") >= 120, "audio frames via the edge");
                // the edge-only node refuses publishers; the ingest-only... serves no viewers
                ExternalProcess refused = ExternalProcess.run("publish-to-edge", 20,
                        ffmpegPublish(rtmpUrl(edgeRtmp, "nope"), 5));
                assertTrue(refused.exitCode() != 0, "an edge-only node accepted a publisher");
                ExternalProcess notServed = ExternalProcess.run("play-on-ingest", 20,
                        List.of("ffmpeg", "-nostdin", "-loglevel", "error", "-i", rtmpUrl(ingestRtmp, "across"),
                                "-t", "1", "-f", "null", "-"));
                assertTrue(notServed.exitCode() != 0, "an ingest-only node served a viewer");
            }
        } finally {
            edge.stop();
            ingest.stop();
        }
    }
}
