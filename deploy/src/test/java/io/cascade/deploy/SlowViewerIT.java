package io.cascade.deploy;

import io.cascade.testing.Await;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.countLines;
import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A viewer that stops reading loses frames, then its connection, while a normal viewer of the same stream
 * decodes everything; both kinds of loss are counted.
 */
@Tag("interop")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowViewerIT {
    @Test
    void aStalledViewerIsSkippedThenDroppedAndANormalOneLosesNothing() throws Exception {
        int rtmp = Clients.freePort();
        CascadeNode node = new CascadeNode(NodeConfig.of(Clients.isolated(Map.of("rtmp.port", String.valueOf(rtmp),
                "http.port", "0", "api.port", "0", "bind.host", "127.0.0.1",
                "rtmp.viewer.queue.bytes", String.valueOf(64 << 10), "rtmp.socket.send.bytes", String.valueOf(32 << 10),
                "rtmp.viewer.max.behind.ms", "2000"))));
        node.start().await(30, TimeUnit.SECONDS);
        try (ExternalProcess pub = ExternalProcess.start("publish-slow", ffmpegPublish(rtmpUrl(rtmp, "slow"), 40));
             TestRtmpClient stalled = new TestRtmpClient(rtmp, 20_000, 2048)) {
            stalled.handshake(false);
            stalled.connect("live");
            int id = stalled.createStream();
            stalled.command(id, "play", null, "slow", -2.0);
            // from here on the stalled viewer reads nothing

            ExternalProcess normal = ExternalProcess.run("ffmpeg-normal", 40, ffmpegDecode(rtmpUrl(rtmp, "slow"), 12));
            assertEquals(0, normal.exitCode(), normal.describe());
            assertTrue(countLines(normal.stdout(), "0,") >= 12 * 25 - 5, "the normal viewer lost video frames: "
                    + countLines(normal.stdout(), "0,"));

            assertTrue(node.counters().framesDroppedSlowViewer.sum() > 0, "drops are counted");
            Await.until("the stalled viewer is disconnected", Duration.ofSeconds(20),
                    () -> node.counters().viewersDisconnectedSlow.sum() > 0);
            assertEquals(1, node.counters().viewersDisconnectedSlow.sum(), "the stalled viewer is disconnected");
            assertTrue(stalled.closedByServer(), "its socket is closed");
        } finally {
            node.stop();
        }
    }
}
