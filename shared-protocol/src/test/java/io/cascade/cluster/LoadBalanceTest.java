package io.cascade.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pick among load reports, and the URLs it hands out. */
class LoadBalanceTest {
    private static final long NOW = 1_700_000_000_000L;

    private static NodeLoad edge(String name, long viewers, double cpu, long egress, Set<String> streams) {
        return new NodeLoad(name, Set.of("edge"), false, Map.of("rtmp", viewers), egress, cpu,
                Map.of("rtmp", "rtmp://" + name + ":1935", "http", "http://" + name + ":8888", "rtsp",
                        "rtsp://" + name + ":5544"), streams, NOW - 100);
    }

    @Test
    void theLeastLoadedEdgeThatCanTakeTheClientIsPicked() {
        LoadBalance b = new LoadBalance();
        NodeLoad busy = edge("a", 300, 0.95, 400_000_000, Set.of());
        NodeLoad idle = edge("b", 10, 0.1, 10_000_000, Set.of());
        NodeLoad draining = new NodeLoad("c", Set.of("edge"), true, Map.of(), 0, 0, busy.urls(), Set.of(), NOW);
        NodeLoad stale = new NodeLoad("d", Set.of("edge"), false, Map.of(), 0, 0, busy.urls(), Set.of(),
                NOW - LoadBalance.STALE_MS - 1);
        NodeLoad ingestOnly = new NodeLoad("e", Set.of("ingest"), false, Map.of(), 0, 0, busy.urls(), Set.of(), NOW);
        NodeLoad noRtsp = new NodeLoad("f", Set.of("edge"), false, Map.of(), 0, 0, Map.of("http", "http://f:1"),
                Set.of(), NOW);
        List<NodeLoad> all = List.of(busy, idle, draining, stale, ingestOnly, noRtsp);
        assertEquals("b", b.pick(all, "edge", "rtsp", "cam", null, NOW).node());
        assertEquals("a", b.pick(all, "edge", "rtsp", "cam", "b", NOW).node(), "the asking node is left out");
        assertEquals("e", b.pick(all, "ingest", "rtmp", "cam", null, NOW).node());
        assertNull(b.pick(List.of(draining, stale), "edge", "hls", "cam", null, NOW));
    }

    @Test
    void aCrowdWithinOneReportSpreadsInsteadOfLandingOnOneNode() {
        LoadBalance b = new LoadBalance();
        List<NodeLoad> loads = List.of(edge("a", 0, 0, 0, Set.of()), edge("b", 0, 0, 0, Set.of()),
                edge("c", 0, 0, 0, Set.of()));
        Map<String, Integer> picked = new HashMap<>();
        for (int i = 0; i < 90; i++) {
            picked.merge(b.pick(loads, "edge", "hls", "cam", null, NOW).node(), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 30, "b", 30, "c", 30), picked);
        // reports made after those picks count their viewers (here c lost one): the picks are not counted twice
        List<NodeLoad> reported = new ArrayList<>();
        for (NodeLoad l : loads) {
            reported.add(new NodeLoad(l.node(), l.roles(), false, Map.of("hls", l.node().equals("c") ? 29L : 30L), 0,
                    0, l.urls(), Set.of(), NOW + 10));
        }
        assertEquals("c", b.pick(reported, "edge", "hls", "cam", null, NOW + 20).node());
        assertEquals("a", b.pick(reported, "edge", "hls", "cam", null, NOW + 20).node());
    }

    @Test
    void aReportMadeBeforeAPickStillLeavesThePickCounted() {
        LoadBalance b = new LoadBalance();
        List<NodeLoad> before = List.of(edge("a", 10, 0, 0, Set.of()), edge("b", 10, 0, 0, Set.of()));
        assertEquals("a", b.pick(before, "edge", "hls", "cam", null, NOW).node());
        // b's newer report was made before the pick of a: a's pick still counts, so b is next
        List<NodeLoad> later = List.of(before.get(0), new NodeLoad("b", Set.of("edge"), false, Map.of("hls", 10L), 0,
                0, before.get(1).urls(), Set.of(), NOW - 50));
        assertEquals("b", b.pick(later, "edge", "hls", "cam", null, NOW + 1).node());
        // a report of a made after its pick, counting that viewer, replaces the pick
        List<NodeLoad> counted = List.of(new NodeLoad("a", Set.of("edge"), false, Map.of("hls", 11L), 0, 0,
                before.get(0).urls(), Set.of(), NOW + 5), edge("b", 11, 0, 0, Set.of()));
        assertEquals(11 * LoadBalance.VIEWER_COST, b.cost(counted.get(0)), 1e-9);
    }

    @Test
    void aNodeThatServesTheStreamIsPreferredWhileItIsNotMuchBusier() {
        LoadBalance b = new LoadBalance();
        NodeLoad serving = edge("a", 40, 0.3, 0, Set.of("cam"));
        NodeLoad idle = edge("b", 0, 0.85, 0, Set.of());
        assertEquals("a", b.pick(List.of(serving, idle), "edge", "hls", "cam", null, NOW).node());
        assertEquals("b", b.pick(List.of(serving, idle), "edge", "hls", "other", null, NOW).node());
        NodeLoad hot = edge("a", 40, 0.98, 0, Set.of("cam"));
        assertEquals("b", b.pick(List.of(hot, idle), "edge", "hls", "cam", null, NOW).node());
    }

    @Test
    void urlsPerProtocol() {
        NodeLoad n = edge("h", 0, 0, 0, Set.of());
        assertEquals("rtmp://h:1935/live/cam", LoadBalance.playUrl(n, "rtmp", "cam"));
        assertEquals("rtsp://h:5544/cam", LoadBalance.playUrl(n, "rtsp", "cam"));
        assertEquals("http://h:8888/cam/index.m3u8", LoadBalance.playUrl(n, "hls", "cam"));
        assertEquals("http://h:8888/cam/index.mpd", LoadBalance.playUrl(n, "dash", "cam"));
        assertEquals("http://h:8888/cam.flv", LoadBalance.playUrl(n, "flv", "cam"));
        assertEquals("ws://h:8888/cam/ws", LoadBalance.playUrl(n, "ws", "cam"));
        assertEquals("rtmp://h:1935/live/cam", LoadBalance.publishUrl(n, "rtmp", "cam"));
        assertThrows(IllegalArgumentException.class, () -> LoadBalance.publishUrl(n, "hls", "cam"));
    }

    @Test
    void aReportSurvivesItsJsonAndABadOneIsRefused() {
        NodeLoad n = edge("h", 7, 0.25, 123, Set.of("a", "b"));
        assertEquals(n, NodeLoad.fromJson(n.toJson().encode()));
        assertThrows(IllegalArgumentException.class, () -> NodeLoad.fromJson("{\"viewers\":{\"x\":\"y\"}}"));
        assertThrows(IllegalArgumentException.class, () -> NodeLoad.fromJson("[]"));
        assertThrows(IllegalArgumentException.class, () -> NodeLoad.fromJson("x".repeat(NodeLoad.MAX_JSON_CHARS + 1)));
    }
}
