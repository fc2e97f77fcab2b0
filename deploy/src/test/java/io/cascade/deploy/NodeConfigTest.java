package io.cascade.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
