package io.cascade.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.cascade.testing.Await;
import io.cascade.testing.LoopbackHazelcast;
import io.cascade.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two real Hazelcast members on loopback: what one node reports, a node following the board hears. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class LoadBoardTest {
    private static final Duration HEARD = Duration.ofSeconds(10);

    private Vertx vertx;
    private HazelcastInstance a;
    private HazelcastInstance b;

    @BeforeEach
    void start(Vertx vertx) {
        this.vertx = vertx;
        int pa = Ports.free();
        int pb = Ports.free();
        Config ca = LoopbackHazelcast.member("load-board-test-" + pa, pa, pb);
        Config cb = LoopbackHazelcast.member("load-board-test-" + pa, pb, pa);
        a = Hazelcast.newHazelcastInstance(ca);
        b = Hazelcast.newHazelcastInstance(cb);
        assertEquals(2, b.getCluster().getMembers().size());
    }

    @AfterEach
    void stop() {
        for (HazelcastInstance h : List.of(a, b)) {
            if (h.getLifecycleService().isRunning()) {
                h.getLifecycleService().terminate();
            }
        }
    }

    private static NodeLoad load(String node, long viewers) {
        return new NodeLoad(node, Set.of("edge"), false, false, Map.of("rtmp", viewers), 0, 0,
                Map.of("rtmp", "rtmp://" + node + ":1935/live/{stream}"), Map.of(), Set.of(), 1_000);
    }

    private static Map<String, Long> viewersByNode(List<NodeLoad> loads) {
        return loads.stream().collect(java.util.stream.Collectors.toMap(NodeLoad::node,
                l -> l.viewers().getOrDefault("rtmp", -1L)));
    }

    @Test
    void reportsBeforeAndAfterFollowingAreHeardWithoutReadingTheMap() throws Exception {
        LoadBoard onA = new LoadBoard(vertx, a);
        LoadBoard onB = new LoadBoard(vertx, b);
        onA.report(load("node-a", 1)).await(10, TimeUnit.SECONDS);
        assertEquals(List.of(), onB.latest(), "nothing is heard before following");

        onB.follow().await(10, TimeUnit.SECONDS);
        assertEquals(Map.of("node-a", 1L), viewersByNode(onB.latest()), "the reports already there are read once");

        onA.report(load("node-a", 7)).await(10, TimeUnit.SECONDS);
        onB.report(load("node-b", 3)).await(10, TimeUnit.SECONDS);
        Await.until(() -> "both nodes' latest reports, heard " + onB.latest(), HEARD,
                () -> viewersByNode(onB.latest()).equals(Map.of("node-a", 7L, "node-b", 3L)));
        assertEquals(viewersByNode(onB.all().await(10, TimeUnit.SECONDS)), viewersByNode(onB.latest()),
                "what is heard is what the map holds");
    }

    @Test
    void aRemovedReportIsForgottenAndAnUnreadableOneIsNeverTrusted() throws Exception {
        LoadBoard onA = new LoadBoard(vertx, a);
        LoadBoard onB = new LoadBoard(vertx, b);
        onB.follow().await(10, TimeUnit.SECONDS);
        onA.report(load("node-a", 2)).await(10, TimeUnit.SECONDS);
        Await.until("node-a heard", HEARD, () -> viewersByNode(onB.latest()).equals(Map.of("node-a", 2L)));

        a.<String, String>getMap(LoadBoard.MAP).put("node-x", "{not json");
        a.<String, String>getMap(LoadBoard.MAP).remove("node-a");
        Await.until(() -> "node-a forgotten, heard " + onB.latest(), HEARD, () -> onB.latest().isEmpty());
        onA.report(load("node-a", 4)).await(10, TimeUnit.SECONDS);
        Await.until("node-a heard again", HEARD, () -> viewersByNode(onB.latest()).equals(Map.of("node-a", 4L)));
    }
}
