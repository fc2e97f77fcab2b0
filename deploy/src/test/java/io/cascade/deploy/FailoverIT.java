package io.cascade.deploy;

import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import io.cascade.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest node dies (SIGKILL, its own JVM): its stream leaves the registry within 3 s, the publisher moves to
 * another ingest node, and a viewer on an edge resumes on the same connection, timestamps still moving forward.
 */
@Tag("cluster")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class FailoverIT {
    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.await(30, TimeUnit.SECONDS);
    }

    @Test
    void aViewerOnAnEdgeSurvivesTheDeathOfTheIngestNode() throws Exception {
        try (FailoverCluster cluster = FailoverCluster.start("failover")) {
            ExternalProcess a = cluster.ingestA;
            CascadeNode edge = cluster.edge;
            CascadeNode ingestC = cluster.ingestC;
            int rtmpA = cluster.rtmpA;
            int rtmpEdge = cluster.rtmpEdge;
            int rtmpC = cluster.rtmpC;
            try {
                try (ExternalProcess pub = ExternalProcess.start("publish-a", ffmpegPublish(rtmpUrl(rtmpA, "fo"), 60));
                     TestRtmpClient viewer = new TestRtmpClient(rtmpEdge, 10_000)) {
                    viewer.handshake(false);
                    viewer.connect("live");
                    int id = viewer.createStream();
                    viewer.command(id, "play", null, "fo", -2.0);
                    long lastBefore = -1;
                    for (int i = 0; i < 60; i++) {
                        RtmpMessage m = viewer.readMedia();
                        assertNotNull(m, "no media through the edge before the failure: " + pub.describe());
                        lastBefore = Math.max(lastBefore, m.timestamp());
                    }
                    assertNotNull(await(edge.registry().find("fo")));

                    long t0 = System.nanoTime();
                    a.kill();
                    Await.until("the dead node's stream out of the registry", Duration.ofSeconds(10),
                            () -> await(edge.registry().find("fo")) == null);
                    long goneMs = (System.nanoTime() - t0) / 1_000_000;
                    assertNull(await(edge.registry().find("fo")));
                    assertTrue(goneMs < 3_000, "registry record gone after " + goneMs + " ms");
                    pub.kill();
                    // frames the dead node sent before it died may still be on their way: take them first
                    viewer.setReadTimeout(700);
                    for (RtmpMessage late; (late = viewer.readMedia()) != null; ) {
                        lastBefore = Math.max(lastBefore, late.timestamp());
                    }
                    viewer.setReadTimeout(10_000);

                    try (ExternalProcess again = ExternalProcess.start("publish-c", ffmpegPublish(rtmpUrl(rtmpC, "fo"), 60))) {
                        long t1 = System.nanoTime();
                        RtmpMessage m;
                        do {
                            m = viewer.readMedia();
                        } while (m != null && m.timestamp() <= lastBefore);
                        long resumedMs = (System.nanoTime() - t1) / 1_000_000;
                        assertNotNull(m, "the viewer got nothing after the republish: " + again.describe());
                        assertTrue(resumedMs < 5_000, "viewer resumed after " + resumedMs + " ms");
                        assertTrue(viewer.statusCodes().contains("NetStream.Play.PublishNotify"),
                                viewer.statusCodes().toString());
                        System.out.printf("failover: registry record gone %d ms after SIGKILL, viewer resumed %d ms"
                                + " after the republish started%n", goneMs, resumedMs);
                    }
                }
            } finally {
                ingestC.stop();
                edge.stop();
            }
        }
    }

}
