package io.cascade.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.cascade.testing.LoopbackHazelcast;
import io.cascade.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.cascade.testing.Await;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two real Hazelcast members on loopback: one name per cluster, and a dead owner's streams go away. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class HazelcastStreamRegistryTest {
    private Vertx vertx;
    private HazelcastInstance a;
    private HazelcastInstance b;

    private static Config member(String node, int port, int peerPort) {
        Config c = LoopbackHazelcast.member("registry-test-" + peerPort + "-" + port / 2, port, peerPort);
        c.getMemberAttributeConfig().setAttribute(HazelcastStreamRegistry.NODE_ATTRIBUTE, node);
        return c;
    }

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        this.vertx = vertx;
        int pa = Ports.free();
        int pb = Ports.free();
        Config ca = member("node-a", pa, pb);
        Config cb = member("node-b", pb, pa);
        cb.setClusterName(ca.getClusterName());
        a = Hazelcast.newHazelcastInstance(ca);
        b = Hazelcast.newHazelcastInstance(cb);
        assertEquals(2, b.getCluster().getMembers().size());
    }

    @AfterEach
    void stop() throws Exception {
        for (HazelcastInstance h : List.of(a, b)) {
            if (h.getLifecycleService().isRunning()) {
                h.getLifecycleService().terminate();
            }
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.await(10, TimeUnit.SECONDS);
    }

    @Test
    void aNameIsPublishedOnceInTheWholeCluster() throws Exception {
        StreamRegistry onA = new HazelcastStreamRegistry(vertx, a);
        StreamRegistry onB = new HazelcastStreamRegistry(vertx, b);
        assertTrue(await(onA.claim(new StreamRecord("cam", "node-a", "rtmp", 1))));
        assertFalse(await(onB.claim(new StreamRecord("cam", "node-b", "rtmp", 2))));
        assertEquals(new StreamRecord("cam", "node-a", "rtmp", 1), await(onB.find("cam")));
        assertEquals(List.of(new StreamRecord("cam", "node-a", "rtmp", 1)), await(onB.list()));

        await(onB.release("cam", "node-b")); // not the owner: nothing happens
        assertEquals("node-a", await(onA.find("cam")).ownerNode());
        await(onA.release("cam", "node-a"));
        assertNull(await(onB.find("cam")));
        assertTrue(await(onB.claim(new StreamRecord("cam", "node-b", "rtmp", 3))));
    }

    @Test
    void findAllLooksUpOnlyTheNamesAskedForAndTimelinesOutliveTheStream() throws Exception {
        StreamRegistry onA = new HazelcastStreamRegistry(vertx, a);
        StreamRegistry onB = new HazelcastStreamRegistry(vertx, b);
        assertTrue(await(onA.claim(new StreamRecord("one", "node-a", "rtmp", 1))));
        assertTrue(await(onA.claim(new StreamRecord("two", "node-a", "rtmp", 1))));
        assertEquals(java.util.List.of("one"), await(onB.findAll(java.util.Set.of("one", "missing"))).stream()
                .map(StreamRecord::name).toList());
        assertEquals(StreamTimeline.NEW, await(onB.timeline("one")));
        onA.saveTimeline("one", new StreamTimeline(42, 2, 1_795_000_000_000L));
        await(onA.release("one", "node-a"));
        // the save is asynchronous
        Await.until("the timeline saved on A", Duration.ofSeconds(3), () -> await(onB.timeline("one")).nextSegment() == 42);
        assertEquals(new StreamTimeline(42, 2, 1_795_000_000_000L), await(onB.timeline("one")),
                "a republish on another node continues the numbering");
    }

    @Test
    void splitBrainMergesKeepTheRecordOfTheSmallerOwnerIdWhicheverSideMerges() {
        String a = HazelcastStreamRegistry.encode(new StreamRecord("cam", "node-a", "rtmp", 5));
        String b = HazelcastStreamRegistry.encode(new StreamRecord("cam", "node-b", "rtmp", 1));
        assertEquals(a, OwnerMergePolicy.winner(a, b));
        assertEquals(a, OwnerMergePolicy.winner(b, a));
    }

    @Test
    void theMergeKeepsTheSmallerOwnerIdEvenWhenEveryReadDeserializesAnew() {
        String a = HazelcastStreamRegistry.encode(new StreamRecord("cam", "node-a", "rtmp", 5));
        String b = HazelcastStreamRegistry.encode(new StreamRecord("cam", "node-b", "rtmp", 1));
        OwnerMergePolicy policy = new OwnerMergePolicy();
        assertEquals("raw " + a, policy.merge(serialized(a), serialized(b)), "the merging record wins");
        assertEquals("raw " + a, policy.merge(serialized(b), serialized(a)), "the existing record wins");
        assertEquals("raw " + b, policy.merge(serialized(b), null), "nothing to merge with");
    }

    /** A map value as Hazelcast hands it to a merge policy: each read of it is a new object, as a deserialization is. */
    private static com.hazelcast.spi.merge.MergingValue<String> serialized(String value) {
        return new com.hazelcast.spi.merge.MergingValue<>() {
            @Override
            public String getDeserializedValue() {
                return new String(value);
            }

            @Override
            public Object getRawValue() {
                return "raw " + value;
            }
        };
    }

    @Test
    void aNameOwnedByANodeOutsideTheClusterCanBeTakenOver() throws Exception {
        StreamRegistry onB = new HazelcastStreamRegistry(vertx, b);
        // as if node-x died before its streams were cleaned up
        b.<String, String>getMap(HazelcastStreamRegistry.MAP).put("cam",
                HazelcastStreamRegistry.encode(new StreamRecord("cam", "node-x", "rtmp", 1)));
        assertTrue(await(onB.claim(new StreamRecord("cam", "node-b", "rtmp", 2))));
        assertEquals("node-b", await(onB.find("cam")).ownerNode());
        assertFalse(await(onB.claim(new StreamRecord("cam", "node-a", "rtmp", 3))), "node-b is a member: no takeover");
    }

    @Test
    void aDeadOwnersStreamsAreGoneWithinThreeSeconds() throws Exception {
        StreamRegistry onA = new HazelcastStreamRegistry(vertx, a);
        StreamRegistry onB = new HazelcastStreamRegistry(vertx, b);
        assertTrue(await(onA.claim(new StreamRecord("a1", "node-a", "rtmp", 1))));
        assertTrue(await(onA.claim(new StreamRecord("a2", "node-a", "rtmp", 1))));
        assertTrue(await(onB.claim(new StreamRecord("b1", "node-b", "rtmp", 1))));

        long t0 = System.nanoTime();
        a.getLifecycleService().terminate(); // no goodbye, as after a crash
        Await.until("the dead owner's streams removed", Duration.ofSeconds(10), () -> await(onB.list()).size() <= 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(List.of(new StreamRecord("b1", "node-b", "rtmp", 1)), await(onB.list()));
        assertTrue(ms < 3_000, "the dead owner's streams were removed after " + ms + " ms");
    }

    @Test
    void aLiveOwnerRefusesAtOnceAndAnOwnerThatLetGoLosesTheName() throws Exception {
        StreamRegistry onA = new HazelcastStreamRegistry(vertx, a, "node-a");
        StreamRegistry onB = new HazelcastStreamRegistry(vertx, b, "node-b");
        assertTrue(await(onA.claim(new StreamRecord("cam", "node-a", "rtmp", 1))));
        long t0 = System.nanoTime();
        assertFalse(await(onB.claim(new StreamRecord("cam", "node-b", "rtmp", 2))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < HazelcastStreamRegistry.OWNER_ANSWER_TIMEOUT_MS, "a live owner refused after " + ms + " ms");

        // a record node-a no longer stands behind (its release still on the way, or left from before a restart)
        b.<String, String>getMap(HazelcastStreamRegistry.MAP).put("old",
                HazelcastStreamRegistry.encode(new StreamRecord("old", "node-a", "rtmp", 1)));
        assertTrue(await(onB.claim(new StreamRecord("old", "node-b", "rtmp", 2))));
        assertEquals("node-b", await(onA.find("old")).ownerNode());
    }

    @Test
    void aClaimOnASilentOwnersNameWaitsForTheVerdictAndThenTakesOver() throws Exception {
        StreamRegistry onB = new HazelcastStreamRegistry(vertx, b, "node-b");
        io.vertx.core.Promise<Void> asked = io.vertx.core.Promise.promise();
        // node-a is frozen: it stays a member, and its registration takes the question without an answer
        vertx.eventBus().<String>consumer(Addresses.owner("node-a"), m -> asked.tryComplete());
        b.<String, String>getMap(HazelcastStreamRegistry.MAP).put("cam",
                HazelcastStreamRegistry.encode(new StreamRecord("cam", "node-a", "rtmp", 1)));
        Future<Boolean> claim = onB.claim(new StreamRecord("cam", "node-b", "rtmp", 2));
        asked.future().await(5, TimeUnit.SECONDS);
        Thread.sleep(HazelcastStreamRegistry.OWNER_ANSWER_TIMEOUT_MS + 500); // past the question: now waiting
        assertFalse(claim.isComplete(), "no verdict yet: the claim waits");
        a.getLifecycleService().terminate(); // failure detection drops node-a
        assertTrue(await(claim));
        assertEquals("node-b", await(onB.find("cam")).ownerNode());
    }
}
