package io.cascade.deploy;

import io.cascade.ingest.IngestStream;
import org.junit.jupiter.api.Tag;
import io.cascade.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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
                "--bind.host=127.0.0.1", "--rtmp.port=" + rtmp, "--rtsp.port=0", "--http.port=" + http, "--api.port=" + api,
                "--node.name=sigterm", "--cluster.port=" + Clients.freePort(), "--cluster.name=sigterm-" + rtmp,
                "--drain.grace.ms=2000"));
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
                node.terminate(); // SIGTERM: the node drains for drain.grace.ms (2 s here), then stops
                int exit = node.waitFor(15);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(exit == 143 || exit == 0, "exit code " + exit);
                assertTrue(ms >= 2_000 && ms < 9_000, "drained 2 s, then stopped: " + ms + " ms");
                String stopping = node.stdout();
                assertTrue(stopping.contains("cascade node sigterm draining before it stops"), stopping);
                assertTrue(stopping.contains("drain: closing the 1 viewers and 1 publishers left"), stopping);
                assertTrue(stopping.contains("cascade node sigterm stopped"), stopping);
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

    @Test
    void aBadValueStopsTheNodeNamingTheKeyBeforeItJoinsACluster() throws Exception {
        ExternalProcess node = ExternalProcess.run("node-bad-value", 30, nodeCommand(
                "--cluster.feed.max.inflight.bytes=abc", "--cluster.port=" + Clients.freePort()));
        assertEquals(2, node.exitCode(), node.stdout() + node.stderr());
        assertEquals(List.of("cascade: cluster.feed.max.inflight.bytes must be a whole number "
                        + IngestStream.MIN_MAX_IN_FLIGHT_BYTES + ".." + IngestStream.MAX_MAX_IN_FLIGHT_BYTES
                        + ", not 'abc' (from flag --cluster.feed.max.inflight.bytes)"),
                node.stderr().lines().toList());
        assertNothingStarted(node);
    }

    @Test
    void aSecondNodeOnTheSamePortsExitsWithOneLineNamingThem() throws Exception {
        int rtmp = Clients.freePort();
        int http = Clients.freePort();
        int api = Clients.freePort();
        int cluster = Clients.freePort();
        String[] samePorts = {"--bind.host=127.0.0.1", "--rtmp.port=" + rtmp, "--rtsp.port=0", "--http.port=" + http,
                "--api.port=" + api, "--cluster.port=" + cluster, "--cluster.name=taken-" + rtmp, "--node.name=taken"};
        try (ExternalProcess first = ExternalProcess.start("node-first", nodeCommand(samePorts))) {
            awaitLog(first, "cascade node taken ready", 30);
            ExternalProcess second = ExternalProcess.run("node-second", 30, nodeCommand(samePorts));
            assertEquals(2, second.exitCode(), second.stdout() + second.stderr());
            assertEquals(List.of("cascade: rtmp.port " + rtmp + " is in use (another node or program listens there);"
                            + " so are http.port " + http + ", api.port " + api + ", cluster.port " + cluster),
                    second.stderr().lines().toList());
            assertNothingStarted(second);
            assertTrue(first.isAlive(), "the first node must not notice the second");
        }
    }

    @Test
    void aTakenClusterPortStopsTheNodeWithoutAHazelcastStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ExternalProcess node = ExternalProcess.run("node-cluster-port", 30, nodeCommand("--rtmp.port=0", "--rtsp.port=0",
                    "--http.port=0", "--api.port=0", "--cluster.port=" + taken.getLocalPort()));
            assertEquals(2, node.exitCode(), node.stdout() + node.stderr());
            assertEquals(List.of("cascade: cluster.port " + taken.getLocalPort()
                    + " is in use (another node or program listens there)"), node.stderr().lines().toList());
            assertNothingStarted(node);
        }
    }

    @Test
    void anApiOpenBeyondLoopbackWithoutATokenStopsTheNodeSayingWhy() throws Exception {
        ExternalProcess node = ExternalProcess.run("node-open-api", 30, nodeCommand("--api.host=0.0.0.0",
                "--cluster.port=" + Clients.freePort()));
        assertEquals(2, node.exitCode(), node.stdout() + node.stderr());
        assertEquals(List.of("cascade: api.host 0.0.0.0 is not a loopback address and api.token is not set: the API"
                + " would let anyone who reaches it manage streams; set api.token (or api.host=127.0.0.1, or"
                + " api.port=0)"), node.stderr().lines().toList());
        assertNothingStarted(node);
    }

    @Test
    void aTlsPortWithoutAUsableCertificateStopsTheNodeWithOneLine() throws Exception {
        int rtmps = Clients.freePort();
        ExternalProcess none = ExternalProcess.run("node-tls-none", 30, nodeCommand("--rtmps.port=" + rtmps,
                "--cluster.port=" + Clients.freePort()));
        assertEquals(2, none.exitCode(), none.stdout() + none.stderr());
        assertEquals(List.of("cascade: TLS on rtmps.port " + rtmps + " needs tls.cert and tls.key (PEM files): neither"
                + " is set"), none.stderr().lines().toList());
        assertNothingStarted(none);

        TestCa ca = TestCa.create("node-process-it");
        Path[] one = ca.issue("one", 1);
        Path[] other = ca.issue("other", 2);
        int https = Clients.freePort();
        ExternalProcess mismatch = ExternalProcess.run("node-tls-mismatch", 30, nodeCommand("--https.port=" + https,
                "--tls.cert=" + one[0], "--tls.key=" + other[1], "--cluster.port=" + Clients.freePort()));
        assertEquals(2, mismatch.exitCode(), mismatch.stdout() + mismatch.stderr());
        assertEquals(List.of("cascade: TLS on https.port " + https + ": tls.key " + other[1] + " is not the key of"
                + " tls.cert " + one[0] + " (CN=localhost)"), mismatch.stderr().lines().toList());
        assertNothingStarted(mismatch);
    }

    /** The TLS and RTMPT listeners say what they are at startup, and a certificate reload is logged, good or bad. */
    @Test
    void tlsListenersStartWithTheirLinesAndCertificateReloadsAreLogged() throws Exception {
        TestCa ca = TestCa.create("node-process-reload");
        Path cert = ca.dir.resolve("node.pem");
        Path key = ca.dir.resolve("node.key");
        TestCa.install(ca.issue("first", 0x51), cert, key);
        int rtmps = Clients.freePort();
        int rtmpt = Clients.freePort();
        int https = Clients.freePort();
        int api = Clients.freePort();
        try (ExternalProcess node = ExternalProcess.start("node-tls", nodeCommand("--bind.host=127.0.0.1",
                "--rtmp.port=0", "--rtsp.port=0", "--http.port=0", "--rtmps.port=" + rtmps, "--rtmpt.port=" + rtmpt,
                "--https.port=" + https, "--api.port=" + api, "--api.tls=true", "--tls.cert=" + cert,
                "--tls.key=" + key, "--tls.reload.ms=200", "--node.name=tls", "--cluster.port=" + Clients.freePort(),
                "--cluster.name=tls-" + rtmps))) {
            awaitLog(node, "cascade node tls ready", 30);
            String log = node.stdout();
            assertTrue(log.contains("listening rtmps 127.0.0.1:" + rtmps + " (TLS, publish + play, "), log);
            assertTrue(log.contains("listening rtmpt 127.0.0.1:" + rtmpt + " (RTMP over HTTP POSTs, publish + play)"),
                    log);
            assertTrue(log.contains("listening https 127.0.0.1:" + https + " (TLS, /metrics /healthz /readyz "), log);
            assertTrue(log.contains("listening api   127.0.0.1:" + api + " (TLS, no token: loopback use only)"), log);
            assertTrue(log.contains("tls: certificate " + cert + " (serial 51, CN=localhost, valid until "), log);

            TestCa.install(ca.issue("second", 0x52), cert, key);
            awaitLog(node, "tls: reloaded certificate " + cert + " (serial 52, CN=localhost", 10);
            assertEquals(BigInteger.valueOf(0x52), ca.serialAt(https));

            Path[] third = ca.issue("third", 0x53);
            Files.copy(third[0], cert, StandardCopyOption.REPLACE_EXISTING); // its key not yet
            awaitLog(node, "not used, the certificate in use stays (serial 52", 10);
            assertEquals(BigInteger.valueOf(0x52), ca.serialAt(rtmps));
        }
    }

    private static List<String> nodeCommand(String... flags) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), CascadeNode.class.getName()));
        cmd.addAll(List.of(flags));
        return cmd;
    }

    /** No Hazelcast, no Vert.x, no stack trace: what logback says about its own configuration aside. */
    private static void assertNothingStarted(ExternalProcess node) throws Exception {
        String said = (node.stdout() + node.stderr()).lines()
                .filter(line -> !line.contains(" |-")) // logback's status report, printed when it finds its config twice
                .collect(Collectors.joining("\n"));
        assertFalse(said.toLowerCase(Locale.ROOT).contains("hazelcast"), said);
        assertFalse(said.contains("Exception") || said.contains("\tat "), said);
        assertFalse(said.contains("starting, roles"), said);
    }

    private static void awaitLog(ExternalProcess p, String text, int seconds) throws Exception {
        Await.until(Duration.ofSeconds(seconds), () -> {
            assertTrue(p.isAlive(), "node exited: " + p.stdout() + p.stderr());
            return p.stdout();
        }, log -> log.contains(text), log -> "no '" + text + "' in the node log: " + log);
    }
}
