package io.cascade.deploy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cascade.deploy.Clients.ffmpegDecode;
import static io.cascade.deploy.Clients.ffmpegPublish;
import static io.cascade.deploy.Clients.rtmpUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node as operators run it: its own JVM, flags on the command line, one line per listener, SIGTERM to stop. */
@Tag("interop")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeProcessIT {
    @Test
    void startsPrintsItsListenersAndStopsCleanlyOnSigterm() throws Exception {
        int rtmp = Clients.freePort();
        int http = Clients.freePort();
        int api = Clients.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), CascadeNode.class.getName(),
                "--bind.host=127.0.0.1", "--rtmp.port=" + rtmp, "--http.port=" + http, "--api.port=" + api,
                "--node.name=sigterm", "--cluster.port=" + Clients.freePort(), "--cluster.name=sigterm-" + rtmp));
        try (ExternalProcess node = ExternalProcess.start("node", cmd)) {
            awaitLog(node, "cascade node sigterm ready", 30);
            String log = node.stdout();
            assertTrue(log.contains("listening rtmp  127.0.0.1:" + rtmp), log);
            assertTrue(log.contains("listening http  127.0.0.1:" + http), log);
            assertTrue(log.contains("listening api   127.0.0.1:" + api), log);
            assertTrue(log.contains("roles [INGEST, ORIGIN, EDGE], cluster sigterm-" + rtmp + " size 1"), log);

            try (ExternalProcess pub = ExternalProcess.start("publish-term", ffmpegPublish(rtmpUrl(rtmp, "term"), 60));
                 ExternalProcess player = ExternalProcess.start("play-term", ffmpegDecode(rtmpUrl(rtmp, "term"), 60))) {
                awaitLog(node, "play started: term", 20);
                long t0 = System.nanoTime();
                node.stop(); // SIGTERM first; stop() escalates to SIGKILL only after 5 s
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(node.exitCode() == 143 || node.exitCode() == 0, "exit code " + node.exitCode());
                assertTrue(ms < 5_000, "stopped in " + ms + " ms");
                assertTrue(node.stdout().contains("cascade node sigterm stopped"), node.stdout());
                // both clients see their connection end and exit by themselves
                assertTrue(pub.waitFor(10) >= 0, "publisher still running after the node stopped");
                assertTrue(player.waitFor(10) >= 0, "player still running after the node stopped");
            }
        }
    }

    @Test
    void anUnknownSettingStopsTheNodeWithAClearMessage() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), CascadeNode.class.getName(), "--rtmp.prot=1935");
        ExternalProcess node = ExternalProcess.run("node-typo", 30, cmd);
        assertEquals(2, node.exitCode());
        assertTrue(node.stderr().contains("unknown setting 'rtmp.prot'"), node.stderr());
        assertFalse(node.isAlive());
    }

    private static void awaitLog(ExternalProcess p, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (p.stdout().contains(text)) {
                return;
            }
            assertTrue(p.isAlive(), "node exited: " + p.stdout() + p.stderr());
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the node log: " + p.stdout());
    }
}
