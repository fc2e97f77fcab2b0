package io.cascade.deploy;

import io.cascade.files.VodFolders;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.ingest.IngestStream;
import io.cascade.ingest.ts.TsListenerSpec;
import io.cascade.settings.Setting;
import io.cascade.settings.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest {
    @Test
    void defaultsAreTheOperatorContract() throws Exception {
        NodeConfig c = NodeConfig.load(new String[0], Map.of());
        assertEquals(1935, c.port("rtmp.port"));
        assertEquals(5544, c.port("rtsp.port"));
        assertEquals(8888, c.port("http.port"));
        assertEquals(7777, c.port("api.port"));
        assertEquals("127.0.0.1", c.get("api.host"));
        assertEquals(5701, c.port("cluster.port"));
        assertEquals("", c.get("cluster.members"));
        assertEquals(EnumSet.allOf(NodeConfig.Role.class), c.roles());
        assertEquals(100, c.integer("metrics.stream.series.max"));
        // TLS and RTMPT are off until asked for
        assertEquals(0, c.port("rtmps.port"));
        assertEquals(0, c.port("rtmpt.port"));
        assertEquals(0, c.port("https.port"));
        assertFalse(c.bool("api.tls"));
    }

    /** An API anyone on the network can reach must not start without a token; loopback stays as easy as before. */
    @Test
    void anApiBeyondLoopbackWithoutATokenStopsTheNode() throws Exception {
        for (String host : List.of("0.0.0.0", "::", "192.0.2.10", "")) {
            SettingsException e = assertThrows(SettingsException.class,
                    () -> NodeConfig.load(new String[] {"--api.host=" + host}, Map.of()), host);
            assertEquals("api.host " + (host.isEmpty() ? "(empty)" : host) + " is not a loopback address and api.token"
                    + " is not set: the API would let anyone who reaches it manage streams; set api.token (or"
                    + " api.host=127.0.0.1, or api.port=0)", e.getMessage());
        }
        // loopback without a token, any address with one, and nodes that run no API are fine
        for (String host : List.of("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost")) {
            NodeConfig.load(new String[] {"--api.host=" + host}, Map.of());
        }
        NodeConfig.load(new String[] {"--api.host=0.0.0.0", "--api.token=s3cret"}, Map.of());
        NodeConfig.load(new String[] {"--api.host=0.0.0.0", "--api.port=0"}, Map.of());
        NodeConfig.load(new String[] {"--api.host=0.0.0.0", "--roles=ingest,edge"}, Map.of());
        // the environment is a source like any other (compose and Kubernetes set it there)
        assertThrows(SettingsException.class, () -> NodeConfig.load(new String[0],
                Map.of("CASCADE_API_HOST", "0.0.0.0", "CASCADE_API_TOKEN", "")));
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, """
                roles: [edge]
                rtmp:
                  port: 2000
                http.port: 2001
                api:
                  port: 2002
                node.name: from-file
                """);
        NodeConfig c = NodeConfig.load(new String[] {"--config", yaml.toString(), "--api.port=4002"},
                Map.of("CASCADE_HTTP_PORT", "3001", "CASCADE_API_PORT", "3002", "UNRELATED", "x"));
        assertEquals(2000, c.port("rtmp.port")); // file only
        assertEquals(3001, c.port("http.port")); // environment over file
        assertEquals(4002, c.port("api.port")); // flag over environment
        assertEquals("from-file", c.nodeName());
        assertEquals(EnumSet.of(NodeConfig.Role.EDGE), c.roles());
    }

    @Test
    void aTypoIsAnErrorNotADefault() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.load(new String[] {"--rtmp.prot=1"}, Map.of()));
        assertTrue(e.getMessage().contains("rtmp.prot"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(Map.of("roles", "ingest,cdn")).roles());
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(Map.of("rtmp.port", "70000")).port("rtmp.port"));
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.load(new String[] {"positional"}, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new CascadeNode(NodeConfig.of(Map.of("metrics.stream.series.max", "-1"))));
    }

    @Test
    void environmentNamesFollowTheKeys() {
        assertEquals("CASCADE_CLUSTER_MEMBERS", NodeConfig.envName("cluster.members"));
    }

    @Test
    void badSegmentSettingsStopTheNodeBeforeItStarts() {
        for (Map.Entry<String, String> bad : List.of(Map.entry("segment.target.ms", "0"),
                Map.entry("hls.playlist.length", "0"), Map.entry("hls.playlist.type", "circular"),
                Map.entry("hls.aes.key.count", "0"), Map.entry("hls.dvr.segments", "-1"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new CascadeNode(NodeConfig.of(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey().substring(bad.getKey().lastIndexOf('.') + 1))
                    || e.getMessage().contains("must"), e.getMessage());
        }
    }

    @Test
    void eachKindOfBadValueNamesItsKeyAndWhereItCameFrom() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("cluster.feed.max.inflight.bytes", "abc"); // not a number
        bad.put("rtmp.port", "70000"); // past the port range
        bad.put("viewer.queue.bytes", "1024"); // below its bound
        bad.put("ingest.points.required", "yes"); // not true or false
        bad.put("hls.playlist.type", "circular"); // not one of the words
        bad.put("roles", "ingest,cdn"); // an unknown role
        bad.put("cluster.members", "10.0.0.1"); // no port
        bad.put("hls.aes.secret", "short"); // too short to derive keys from
        bad.put("cluster.port", "0"); // the cluster port cannot be disabled
        for (Map.Entry<String, String> e : bad.entrySet()) {
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> NodeConfig.load(new String[] {"--" + e.getKey() + "=" + e.getValue()}, Map.of()), e.toString());
            assertTrue(thrown.getMessage().startsWith(e.getKey() + " must be "), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("'" + e.getValue() + "'"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains("(from flag --" + e.getKey() + ")"), thrown.getMessage());
        }
    }

    @Test
    void everyBadValueIsReportedAtOnceWithItsSource() {
        SettingsException e = assertThrows(SettingsException.class, () -> NodeConfig.load(
                new String[] {"--segment.target.ms=50"}, Map.of("CASCADE_EDGE_LINGER_MS", "-1")));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("edge.linger.ms must be a whole number 0.."), e.getMessage());
        assertTrue(e.problems().get(0).endsWith("(from environment CASCADE_EDGE_LINGER_MS)"), e.getMessage());
        assertTrue(e.problems().get(1).startsWith("segment.target.ms must be a whole number "
                + IngestStream.MIN_SEGMENT_TARGET_MS + ".."), e.getMessage());
    }

    @Test
    void boundsAreInclusive() {
        NodeConfig c = NodeConfig.of(Map.of("viewer.queue.bytes", String.valueOf(ViewerPolicy.MIN_QUEUE_BYTES),
                "viewer.flush.interval.ms", String.valueOf(ViewerPolicy.MAX_FLUSH_INTERVAL_MS),
                "rtmp.port", "0", "cluster.port", "65535"));
        assertEquals(ViewerPolicy.MIN_QUEUE_BYTES, c.value(ViewerPolicy.QUEUE_BYTES));
        assertEquals(ViewerPolicy.MAX_FLUSH_INTERVAL_MS, c.value(ViewerPolicy.FLUSH_INTERVAL_MS));
        assertEquals(0, c.port("rtmp.port"));
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(Map.of("viewer.queue.bytes",
                String.valueOf(ViewerPolicy.MIN_QUEUE_BYTES - 1))));
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(Map.of("viewer.flush.interval.ms",
                String.valueOf(ViewerPolicy.MAX_FLUSH_INTERVAL_MS + 1))));
    }

    @Test
    void everyDefaultIsWithinItsBoundsAndEveryKeyHasAMeaning() {
        NodeConfig c = NodeConfig.of(Map.of());
        for (Setting<?> s : NodeConfig.SETTINGS) {
            assertEquals(s.defaultValue(), c.value(s), s.key());
            assertFalse(s.meaning().isBlank(), s.key());
        }
    }

    @Test
    void theOldRtmpViewerKeysAreAliasesOfTheViewerKeys(@TempDir Path dir) throws Exception {
        NodeConfig old = NodeConfig.load(new String[] {"--rtmp.viewer.queue.bytes=131072", "--rtmp.play.wait.ms=0",
                "--rtmp.flush.interval.ms=5", "--rtmp.socket.send.bytes=32768"},
                Map.of("CASCADE_RTMP_VIEWER_MAX_BEHIND_MS", "2000"));
        assertEquals(131072, old.value(ViewerPolicy.QUEUE_BYTES));
        assertEquals(0L, old.value(ViewerPolicy.PLAY_WAIT_MS));
        assertEquals(5L, old.value(ViewerPolicy.FLUSH_INTERVAL_MS));
        assertEquals(32768, old.value(ViewerPolicy.SOCKET_SEND_BYTES));
        assertEquals(2000L, old.value(ViewerPolicy.MAX_BEHIND_MS));
        assertEquals("131072", old.get("rtmp.viewer.queue.bytes"));
        assertTrue(old.deprecatedUses().contains(
                "rtmp.viewer.queue.bytes from flag --rtmp.viewer.queue.bytes is deprecated: use viewer.queue.bytes"),
                old.deprecatedUses().toString());

        // a later source overrides an earlier one, whichever name either uses
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, """
                rtmp:
                  viewer:
                    queue.bytes: 131072
                viewer.max.behind.ms: 3000
                """);
        NodeConfig layered = NodeConfig.load(new String[] {"--config", yaml.toString(), "--viewer.queue.bytes=262144"},
                Map.of("CASCADE_RTMP_VIEWER_MAX_BEHIND_MS", "4000"));
        assertEquals(262144, layered.value(ViewerPolicy.QUEUE_BYTES));
        assertEquals(4000L, layered.value(ViewerPolicy.MAX_BEHIND_MS));
        assertEquals(List.of("rtmp.viewer.queue.bytes from " + yaml + " is deprecated: use viewer.queue.bytes",
                "rtmp.viewer.max.behind.ms from environment CASCADE_RTMP_VIEWER_MAX_BEHIND_MS is deprecated: use"
                        + " viewer.max.behind.ms"), layered.deprecatedUses());

        // one source giving both names: nothing says which was meant
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> NodeConfig.load(
                new String[] {"--viewer.queue.bytes=131072", "--rtmp.viewer.queue.bytes=262144"}, Map.of()));
        assertTrue(both.getMessage().startsWith("viewer.queue.bytes is given twice in the command line"),
                both.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.load(new String[0],
                Map.of("CASCADE_VIEWER_PLAY_WAIT_MS", "1", "CASCADE_RTMP_PLAY_WAIT_MS", "2")));
    }

    @Test
    void aKubernetesClusterNeedsItsServiceName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.of(Map.of("cluster.discovery", "kubernetes")));
        assertTrue(e.getMessage().startsWith("cluster.kubernetes.service.dns must be set"), e.getMessage());
    }

    @Test
    void listenersSharingAPortAreRefusedNamingBoth() {
        NodeConfig c = NodeConfig.of(Map.of("rtmp.port", "20001", "http.port", "20001"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ListenerPorts.checkFree(c, c.roles()));
        assertEquals("rtmp.port and http.port are both 20001: each listener needs a port of its own", e.getMessage());
        // the API of an edge-only node is never opened, so it cannot clash
        NodeConfig edge = NodeConfig.of(Map.of("roles", "edge", "rtmp.port", "0", "rtsp.port", "0", "http.port", "0",
                "api.port", "0", "cluster.port", "5701"));
        assertEquals(List.of("cluster.port"), ListenerPorts.of(edge, edge.roles()).stream()
                .map(Listener.Endpoint::setting).toList());
    }

    @Test
    void tsListenersComeFromTheirSettingsAndTheList() {
        NodeConfig c = NodeConfig.of(Map.of("ts.udp.port", "9000", "ts.udp.group", "239.1.2.3", "ts.tcp.port", "9001",
                "ts.tcp.stream", "cam", "ts.listeners", "udp://127.0.0.1:9002?stream=a, protocol=tcp&port=9003"));
        assertEquals(List.of("ts.udp.port 9000/udp", "ts.tcp.port 9001", "ts.listeners[0] 9002/udp",
                        "ts.listeners[1] 9003"),
                new TsListener().endpoints(c).stream().map(Listener.Endpoint::describe).toList());
        // a multicast listener binds its group, so it receives that group only
        assertEquals("239.1.2.3", new TsListener().endpoints(c).get(0).host());
        assertEquals("cam", TsListener.specs(c).get("ts.tcp.port").stream());
        assertEquals("0.0.0.0", TsListener.specs(c).get("ts.listeners[1]").host());
    }

    @Test
    void tsListenersAreAYamlListOfRecords(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, """
                ts:
                  listeners:
                    - {protocol: udp, port: 9100, stream: cam1, group: 239.0.0.7, interface: lo, source: 127.0.0.1}
                    - protocol: tcp
                      host: 127.0.0.1
                      port: 9101
                """);
        NodeConfig c = NodeConfig.load(new String[] {"--config", yaml.toString()}, Map.of());
        Map<String, TsListenerSpec> specs = TsListener.specs(c);
        assertEquals(new TsListenerSpec(TsListenerSpec.Transport.UDP, "0.0.0.0", 9100, "cam1", "239.0.0.7", "lo",
                "127.0.0.1"), specs.get("ts.listeners[0]"));
        assertEquals(TsListenerSpec.of(TsListenerSpec.Transport.TCP, "127.0.0.1", 9101, ""), specs.get("ts.listeners[1]"));
    }

    @Test
    void vodFoldersAreAYamlMappingOfApplicationToFolder(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, """
                data.dir: /srv/cascade
                vod:
                  folder: media
                  folders: {movies: /srv/movies, clips: clips}
                """);
        VodFolders folders = NodeConfig.load(new String[] {"--config", yaml.toString()}, Map.of()).vodFolders();
        assertEquals(List.of("vod", "movies", "clips"), List.copyOf(folders.apps()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.of(Map.of("vod.folders", "movies")));
        assertTrue(e.getMessage().startsWith("vod.folders must be comma-separated `app=folder` pairs"), e.getMessage());
    }

    @Test
    void aBadTsListenerStopsTheNodeNamingTheKeyAndTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.of(Map.of("ts.listeners", "tcp://:9000?group=239.1.1.1")));
        assertTrue(e.getMessage().startsWith("ts.listeners must be "), e.getMessage());
        assertTrue(e.getMessage().endsWith("listener 0: group needs protocol udp: TCP has no multicast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(Map.of("ts.udp.group", "10.0.0.1")));
        assertTrue(e.getMessage().startsWith("ts.udp.group must be empty or a multicast address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(Map.of("ts.tcp.stream", "a/b")));
        assertTrue(e.getMessage().startsWith("ts.tcp.stream must be empty or a stream name"), e.getMessage());
    }

    @Test
    void multicastListenersShareAPortWhenTheirGroupsOrSourcesDiffer() {
        Map<String, String> base = Map.of("rtmp.port", "0", "rtsp.port", "0", "http.port", "0", "api.port", "0",
                "cluster.port", "20013");
        Map<String, String> apart = new java.util.HashMap<>(base);
        apart.put("ts.listeners", "udp://:20014?group=239.1.1.1,udp://:20014?group=239.1.1.2,"
                + "udp://:20014?group=232.1.1.1&source=10.0.0.1,udp://:20014?group=232.1.1.1&source=10.0.0.2");
        NodeConfig c = NodeConfig.of(apart);
        ListenerPorts.checkFree(c, c.roles());
        Map<String, String> same = new java.util.HashMap<>(base);
        same.put("ts.listeners", "udp://:20014?group=232.1.1.1&source=10.0.0.1,udp://:20014?group=232.1.1.1");
        NodeConfig clash = NodeConfig.of(same);
        SettingsException e = assertThrows(SettingsException.class, () -> ListenerPorts.checkFree(clash, clash.roles()));
        assertTrue(e.getMessage().startsWith("ts.listeners[0] and ts.listeners[1] are both 20014"), e.getMessage());
    }

    @Test
    void authorisationSettingsThatCannotWorkStopTheNodeWithoutShowingTheSecret() {
        SettingsException noSecret = assertThrows(SettingsException.class,
                () -> NodeConfig.of(Map.of("auth.play", "token")));
        assertEquals(List.of("auth.secret must be set when auth.publish or auth.play is token"), noSecret.problems());
        SettingsException noUrl = assertThrows(SettingsException.class,
                () -> NodeConfig.of(Map.of("auth.publish", "callback")));
        assertEquals(List.of("auth.callback.url must be set when auth.publish or auth.play is callback"),
                noUrl.problems());
        IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class,
                () -> NodeConfig.load(new String[] {"--auth.secret=hunter2"}, Map.of()));
        assertFalse(shortSecret.getMessage().contains("hunter2"), shortSecret.getMessage());
        assertTrue(shortSecret.getMessage().startsWith("auth.secret must be empty or at least 16 bytes, not the value"
                + " given (from flag --auth.secret)"), shortSecret.getMessage());
        NodeConfig ok = NodeConfig.of(Map.of("auth.publish", "token", "auth.play", "callback",
                "auth.secret", "0123456789abcdef", "auth.callback.url", "http://127.0.0.1:9/auth",
                "auth.callback.on.timeout", "allow"));
        assertTrue(ok.authorisation().allowWhenUnanswered());
        assertEquals("none", NodeConfig.of(Map.of()).get("auth.publish"));
    }

    @Test
    void tcpAndUdpMayShareAPortNumber() {
        NodeConfig c = NodeConfig.of(Map.of("ts.udp.port", "20011", "ts.tcp.port", "20011", "rtmp.port", "0",
                "rtsp.port", "0", "http.port", "0", "api.port", "0", "cluster.port", "20012"));
        ListenerPorts.checkFree(c, c.roles());
    }

    /** The README's Configuration table is the operator's reference: it must say what the declarations say. */
    @Test
    void theReadmeDescribesEverySettingWithItsDefaultAndBounds() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> missing = NodeConfig.SETTINGS.stream().map(NodeConfigTest::readmeRow)
                .filter(row -> !readme.contains(row)).toList();
        assertTrue(missing.isEmpty(), "README.md's Configuration table lacks these rows:\n" + String.join("\n", missing));
    }

    private static String readmeRow(Setting<?> s) {
        String aliases = s.aliases().isEmpty() ? "" : " (deprecated alias: "
                + String.join(", ", s.aliases().stream().map(a -> "`" + a + "`").toList()) + ")";
        return "| `" + s.key() + "` | " + (s.defaultText().isEmpty() ? "(none)" : "`" + s.defaultText() + "`") + " | "
                + s.accepted().replace("a whole number ", "") + " | " + s.meaning() + aliases + " |";
    }
}
