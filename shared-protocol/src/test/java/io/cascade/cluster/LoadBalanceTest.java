package io.cascade.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pick among load reports, and the URLs it hands out. */
class LoadBalanceTest {
    private static final long NOW = 1_700_000_000_000L;

    /** The templates a node with RTMP, RTSP and HTTP listeners reports (see the listeners' playUrls). */
    private static Map<String, String> play(String host) {
        return Map.of("rtmp", "rtmp://" + host + ":1935/live/{stream}", "rtsp", "rtsp://" + host + ":5544/{stream}",
                "hls", "http://" + host + ":8888/{stream}/index.m3u8", "ws", "ws://" + host + ":8888/{stream}/ws");
    }

    private static Map<String, String> publish(String host) {
        return Map.of("rtmp", "rtmp://" + host + ":1935/live/{stream}");
    }

    private static NodeLoad edge(String name, long viewers, double cpu, long egress, Set<String> streams) {
        return new NodeLoad(name, Set.of("edge"), false, false, Map.of("rtmp", viewers), egress, cpu, play(name),
                publish(name), streams, NOW - 100);
    }

    private static NodeLoad node(String name, Set<String> roles, boolean draining, Map<String, String> play,
                                 long viewers, long updatedMillis) {
        return new NodeLoad(name, roles, draining, false, Map.of("hls", viewers), 0, 0, play, publish(name), Set.of(),
                updatedMillis);
    }

    @Test
    void theLeastLoadedEdgeThatCanTakeTheClientIsPicked() {
        LoadBalance b = new LoadBalance();
        NodeLoad busy = edge("a", 300, 0.95, 400_000_000, Set.of());
        NodeLoad idle = edge("b", 10, 0.1, 10_000_000, Set.of());
        NodeLoad draining = node("c", Set.of("edge"), true, play("c"), 0, NOW);
        NodeLoad stale = node("d", Set.of("edge"), false, play("d"), 0, NOW - LoadBalance.STALE_MS - 1);
        NodeLoad ingestOnly = node("e", Set.of("ingest"), false, Map.of(), 0, NOW);
        NodeLoad noRtsp = node("f", Set.of("edge"), false, Map.of("hls", "http://f:1/{stream}/index.m3u8"), 0, NOW);
        List<NodeLoad> all = List.of(busy, idle, draining, stale, ingestOnly, noRtsp);
        assertEquals("b", b.pick(all, LoadBalance.Want.PLAY, "rtsp", "cam", null, NOW).node());
        assertEquals("a", b.pick(all, LoadBalance.Want.PLAY, "rtsp", "cam", "b", NOW).node(), "the asking node is left out");
        assertEquals("e", b.pick(all, LoadBalance.Want.PUBLISH, "rtmp", "cam", null, NOW).node());
        assertNull(b.pick(List.of(draining, stale), LoadBalance.Want.PLAY, "hls", "cam", null, NOW));
    }

    @Test
    void aReportDecidesDifferentlyWhenWhatPicksWeighChanged() {
        LoadBalance b = new LoadBalance();
        NodeLoad before = edge("a", 10, 0.2, 50_000_000, Set.of("cam"));
        NodeLoad later = new NodeLoad("a", before.roles(), false, false, Map.of("rtmp", 10L), 50_400_000, 0.6,
                before.play(), before.publish(), Set.of("cam"), NOW + 5_000);
        assertFalse(b.decidesDifferently(later, before), "0.4 Mbit/s more, CPU below the headroom, a newer time");
        assertTrue(b.decidesDifferently(edge("a", 11, 0.2, 50_000_000, Set.of("cam")), before), "a viewer more");
        assertTrue(b.decidesDifferently(edge("a", 10, 0.2, 52_000_000, Set.of("cam")), before), "2 Mbit/s more");
        assertTrue(b.decidesDifferently(edge("a", 10, 0.95, 50_000_000, Set.of("cam")), before),
                "CPU past the headroom");
        assertFalse(new LoadBalance(1).decidesDifferently(edge("a", 10, 0.95, 50_000_000, Set.of("cam")), before),
                "CPU left out");
        assertTrue(b.decidesDifferently(edge("a", 10, 0.2, 50_000_000, Set.of()), before), "a stream gone");
        NodeLoad draining = new NodeLoad("a", before.roles(), true, false, before.viewers(), 50_000_000, 0.2,
                before.play(), before.publish(), before.streams(), NOW);
        NodeLoad full = new NodeLoad("a", before.roles(), false, true, before.viewers(), 50_000_000, 0.2,
                before.play(), before.publish(), before.streams(), NOW);
        assertTrue(b.decidesDifferently(draining, before));
        assertTrue(b.decidesDifferently(full, before));
    }

    @Test
    void aFullNodeIsPickedForNothing() {
        LoadBalance b = new LoadBalance();
        NodeLoad full = new NodeLoad("a", Set.of("edge", "ingest"), false, true, Map.of(), 0, 0, play("a"),
                publish("a"), Set.of("cam"), NOW - 100);
        NodeLoad busy = edge("b", 500, 0.5, 500_000_000, Set.of());
        assertEquals("b", b.pick(List.of(full, busy), LoadBalance.Want.PLAY, "rtmp", "cam", null, NOW).node(),
                "not the full node, though it has the stream and no viewer");
        assertNull(b.pick(List.of(full), LoadBalance.Want.PUBLISH, "rtmp", "cam", null, NOW));
        assertEquals(full, NodeLoad.fromJson(full.toJson().encode()));
    }

    @Test
    void aCrowdWithinOneReportSpreadsInsteadOfLandingOnOneNode() {
        LoadBalance b = new LoadBalance();
        List<NodeLoad> loads = List.of(edge("a", 0, 0, 0, Set.of()), edge("b", 0, 0, 0, Set.of()),
                edge("c", 0, 0, 0, Set.of()));
        Map<String, Integer> picked = new HashMap<>();
        for (int i = 0; i < 90; i++) {
            picked.merge(b.pick(loads, LoadBalance.Want.PLAY, "hls", "cam", null, NOW).node(), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 30, "b", 30, "c", 30), picked);
        // reports made after those picks count their viewers (here c lost one): the picks are not counted twice
        List<NodeLoad> reported = new ArrayList<>();
        for (NodeLoad l : loads) {
            reported.add(node(l.node(), l.roles(), false, l.play(), l.node().equals("c") ? 29 : 30, NOW + 10));
        }
        assertEquals("c", b.pick(reported, LoadBalance.Want.PLAY, "hls", "cam", null, NOW + 20).node());
        assertEquals("a", b.pick(reported, LoadBalance.Want.PLAY, "hls", "cam", null, NOW + 20).node());
    }

    @Test
    void aReportMadeBeforeAPickStillLeavesThePickCounted() {
        LoadBalance b = new LoadBalance();
        List<NodeLoad> before = List.of(edge("a", 10, 0, 0, Set.of()), edge("b", 10, 0, 0, Set.of()));
        assertEquals("a", b.pick(before, LoadBalance.Want.PLAY, "hls", "cam", null, NOW).node());
        // b's newer report was made before the pick of a: a's pick still counts, so b is next
        List<NodeLoad> later = List.of(before.get(0), node("b", Set.of("edge"), false, play("b"), 10, NOW - 50));
        assertEquals("b", b.pick(later, LoadBalance.Want.PLAY, "hls", "cam", null, NOW + 1).node());
        // a report of a made after its pick, counting that viewer, replaces the pick
        List<NodeLoad> counted = List.of(node("a", Set.of("edge"), false, play("a"), 11, NOW + 5),
                edge("b", 11, 0, 0, Set.of()));
        assertEquals(11 * LoadBalance.VIEWER_COST, b.cost(counted.get(0)), 1e-9);
    }

    @Test
    void aNodeThatServesTheStreamIsPreferredWhileItIsNotMuchBusier() {
        LoadBalance b = new LoadBalance();
        NodeLoad serving = edge("a", 40, 0.3, 0, Set.of("cam"));
        NodeLoad idle = edge("b", 0, 0.85, 0, Set.of());
        assertEquals("a", b.pick(List.of(serving, idle), LoadBalance.Want.PLAY, "hls", "cam", null, NOW).node());
        assertEquals("b", b.pick(List.of(serving, idle), LoadBalance.Want.PLAY, "hls", "other", null, NOW).node());
        NodeLoad hot = edge("a", 40, 0.98, 0, Set.of("cam"));
        assertEquals("b", b.pick(List.of(hot, idle), LoadBalance.Want.PLAY, "hls", "cam", null, NOW).node());
    }

    @Test
    void urlsComeFromTheTemplatesTheNodeReported() {
        NodeLoad n = edge("h", 0, 0, 0, Set.of());
        assertEquals("rtmp://h:1935/live/cam", LoadBalance.url(n, LoadBalance.Want.PLAY, "rtmp", "cam"));
        assertEquals("http://h:8888/cam/index.m3u8", LoadBalance.url(n, LoadBalance.Want.PLAY, "hls", "cam"));
        assertEquals("ws://h:8888", LoadBalance.base(n, LoadBalance.Want.PLAY, "ws"));
        assertEquals("rtsp://h:5544", LoadBalance.base(n, LoadBalance.Want.PLAY, "rtsp"));
        assertEquals("rtmp://h:1935/live/cam", LoadBalance.url(n, LoadBalance.Want.PUBLISH, "rtmp", "cam"));
        assertEquals(Set.of("hls", "rtmp", "rtsp", "ws"), LoadBalance.protocols(List.of(n), LoadBalance.Want.PLAY));
        assertEquals(Set.of("rtmp"), LoadBalance.protocols(List.of(n), LoadBalance.Want.PUBLISH));
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
