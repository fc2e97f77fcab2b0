package io.cascade.deploy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The publisher moves to another ingest node right after its node failed, before the cluster noticed: the republish
 * must not lose the race with failure detection. Ingest node A runs in a JVM of its own (so it can be killed or
 * frozen), the edge and the second ingest node C in the test's. ffmpeg republishes on C within 0.5 s of the failure;
 * C accepts it once A is known to be gone (killed: at once; frozen: within the frozen-member detection time), and
 * the edge's viewers, the one that was playing and new ones, get the stream from C within 5 s.
 */
@Tag("cluster")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RepublishFailoverIT {
    private static final String STREAM = "moving";
    /** A killed member is dropped in about 0.4 s; the rest is the probe and a busy two-core machine. */
    private static final long KILLED_ACCEPT_MS = 3_000;
    /** A frozen member is dropped after max.no.heartbeat, checked once per heartbeat; plus a busy machine. */
    private static final long FROZEN_ACCEPT_MS =
            (ClusterSetup.MAX_NO_HEARTBEAT_SECONDS + 2L * ClusterSetup.HEARTBEAT_SECONDS) * 1000 + 1_500;
    /**
     * A live owner answers at once; this is ffmpeg starting, connecting and giving up (its exit), on a busy machine,
     * and well below the owner question's timeout plus any failure detection.
     */
    private static final long LIVE_REFUSAL_MS = 4_000;
    /** What the issue promises viewers: the stream back within 5 s. */
    private static final long RESUME_MS = 5_000;
    /** The republish starts this soon after the failure, as an encoder that reconnects at once does. */
    private static final long REPUBLISH_WITHIN_MS = 500;

    @Test
    void aRepublishRightAfterTheIngestNodeWasKilledIsAcceptedAndViewersResume() throws Exception {
        failover(false);
    }

    @Test
    void aRepublishRightAfterTheIngestNodeFrozeIsAcceptedOnItsDetectionAndViewersResume() throws Exception {
        failover(true);
    }

    private void failover(boolean freeze) throws Exception {
        try (FailoverCluster cluster = FailoverCluster.start("republish")) {
            ExternalProcess a = cluster.ingestA;
            CascadeNode edge = cluster.edge;
            CascadeNode ingestC = cluster.ingestC;
            int rtmpA = cluster.rtmpA;
            int rtmpEdge = cluster.rtmpEdge;
            int rtmpC = cluster.rtmpC;
            List<RtmpWatcher> watchers = new ArrayList<>();
            try {
                try (ExternalProcess pub = ExternalProcess.start("publish-a", ffmpegPublish(rtmpUrl(rtmpA, STREAM), 90))) {
                    RtmpWatcher viewer = RtmpWatcher.play(rtmpEdge, STREAM, "viewer");
                    watchers.add(viewer);
                    viewer.awaitMedia(50, 30_000, pub);

                    // while A is alive, a second publisher of the name is still refused, and at once
                    long secondStarted = System.nanoTime();
                    ExternalProcess second = ExternalProcess.run("publish-second", 15,
                            ffmpegPublish(rtmpUrl(rtmpC, STREAM), 10));
                    long refusedMs = (System.nanoTime() - secondStarted) / 1_000_000;
                    assertTrue(second.exitCode() > 0, "a second publisher was not refused: " + second.describe());
                    assertEquals(1, ingestC.counters().publishRefusedNameInUse.sum(), "refused as name in use");
                    assertTrue(refusedMs < LIVE_REFUSAL_MS, "the second publisher was refused after " + refusedMs + " ms");

                    long failed = System.nanoTime();
                    if (freeze) {
                        signal("STOP", a.pid());
                    } else {
                        a.kill();
                    }
                    pub.kill(); // its connection is dead or hangs: the encoder reconnects elsewhere
                    long republished = System.nanoTime();
                    try (ExternalProcess again = ExternalProcess.start("publish-c",
                            ffmpegPublish(rtmpUrl(rtmpC, STREAM), 60))) {
                        long republishAfterMs = (republished - failed) / 1_000_000;
                        assertTrue(republishAfterMs < REPUBLISH_WITHIN_MS, "republish started " + republishAfterMs
                                + " ms after the failure");
                        // a play that starts while the owner is gone but not yet declared so
                        RtmpWatcher during = freeze ? RtmpWatcher.play(rtmpEdge, STREAM, "viewer-during") : null;
                        if (during != null) {
                            watchers.add(during);
                        }

                        long bound = freeze ? FROZEN_ACCEPT_MS : KILLED_ACCEPT_MS;
                        long accepted = awaitAccepted(ingestC, again, failed + bound * 1_000_000);
                        long acceptMs = (accepted - republished) / 1_000_000;
                        long acceptAfterFailureMs = (accepted - failed) / 1_000_000;
                        assertTrue(acceptAfterFailureMs <= bound, "accepted " + acceptAfterFailureMs
                                + " ms after the failure");

                        long resumed = viewer.awaitMediaAfter(accepted, accepted + RESUME_MS * 1_000_000, again);
                        long resumeMs = (resumed - accepted) / 1_000_000;
                        long resumeAfterRepublishMs = (resumed - republished) / 1_000_000;
                        if (!freeze) {
                            assertTrue(resumeAfterRepublishMs < RESUME_MS, "the viewer resumed "
                                    + resumeAfterRepublishMs + " ms after the republish started");
                        }
                        String figures = String.format("%s: republish %d ms after the failure, accepted %d ms after"
                                        + " it (%d ms after the failure), viewer resumed %d ms after acceptance (%d ms after"
                                        + " the republish)", freeze ? "SIGSTOP" : "SIGKILL", republishAfterMs, acceptMs,
                                acceptAfterFailureMs, resumeMs, resumeAfterRepublishMs);
                        if (during != null) {
                            long got = during.awaitMediaAfter(accepted, accepted + RESUME_MS * 1_000_000, again);
                            figures += String.format(", viewer that started during the outage: %d ms after acceptance",
                                    (got - accepted) / 1_000_000);
                        }
                        long newPlay = System.nanoTime();
                        RtmpWatcher late = RtmpWatcher.play(rtmpEdge, STREAM, "viewer-new");
                        watchers.add(late);
                        long first = late.awaitMediaAfter(newPlay, accepted + 2 * RESUME_MS * 1_000_000, again);
                        long newMs = (first - accepted) / 1_000_000;
                        assertTrue(newMs < RESUME_MS + 1_000, "a new viewer got media " + newMs
                                + " ms after acceptance");
                        figures += String.format(", new viewer: first media %d ms after its play (%d ms after"
                                + " acceptance); live owner refused a second publisher in %d ms (ffmpeg's exit)",
                                (first - newPlay) / 1_000_000, newMs, refusedMs);
                        assertTrue(viewer.sawStatusAfter("NetStream.Play.PublishNotify", failed),
                                "the viewer was told the stream is back: " + viewer.statuses());
                        System.out.println("republish failover: " + figures);
                        appendFigures(figures);
                    }
                }
            } finally {
                for (RtmpWatcher w : watchers) {
                    w.close();
                }
                ingestC.stop();
                edge.stop();
                a.kill(); // SIGKILL ends a frozen JVM too: nothing outlives the test
            }
        }
    }

    /** Waits until C runs the publish; fails early when ffmpeg gives up (refused). */
    private static long awaitAccepted(CascadeNode node, ExternalProcess publisher, long deadline) throws Exception {
        while (System.nanoTime() - deadline < 0) {
            if (node.counters().protocol("rtmp").publishers.sum() > 0) {
                return System.nanoTime();
            }
            if (!publisher.isAlive()) {
                fail("the republish was refused: " + publisher.describe());
            }
            Thread.sleep(10);
        }
        fail("the republish was not accepted in time: " + publisher.describe());
        return -1;
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -" + signal + " " + pid + " failed");
        }
    }

    /** Figures of every run, for the report of repeated runs (target/, never committed). */
    private static synchronized void appendFigures(String line) throws IOException {
        java.nio.file.Path file = java.nio.file.Path.of("target", "republish-failover-figures.txt");
        java.nio.file.Files.writeString(file, line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * An RTMP viewer read on a thread of its own, noting when each media message and each status arrives, so the
     * test can wait for the stream to come back while it does other things.
     */
}
