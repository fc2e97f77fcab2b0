package io.cascade.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.cascade.cluster.IngestPointStore.CreateResult;
import io.cascade.testing.LoopbackHazelcast;
import io.cascade.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two real Hazelcast members on loopback: names unique both ways, a lost member loses nothing, a restart keeps all. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HazelcastIngestPointStoreTest {
    private final List<HazelcastInstance> members = new ArrayList<>();
    private Vertx vertx;
    private HazelcastInstance a;
    private HazelcastInstance b;
    @TempDir
    Path dir;

    private HazelcastInstance member(String clusterName, int port, int... peers) {
        Config c = LoopbackHazelcast.member(clusterName, port, peers);
        HazelcastIngestPointStore.configure(c);
        HazelcastInstance h = Hazelcast.newHazelcastInstance(c);
        members.add(h);
        return h;
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        int pa = Ports.free();
        int pb = Ports.free();
        String name = "ingest-test-" + pa;
        a = member(name, pa, pb);
        b = member(name, pb, pa);
        assertEquals(2, b.getCluster().getMembers().size());
    }

    @AfterEach
    void stop() throws Exception {
        for (HazelcastInstance h : members) {
            if (h.getLifecycleService().isRunning()) {
                h.getLifecycleService().terminate();
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void bothNamesAreUniqueAcrossBothSetsInTheWholeCluster() throws Exception {
        IngestPointStore onA = new HazelcastIngestPointStore(vertx, a, null);
        IngestPointStore onB = new HazelcastIngestPointStore(vertx, b, null);
        assertEquals(CreateResult.CREATED, await(onA.create(new IngestPoint("cam-secret", "cam"))));
        assertEquals(CreateResult.PRIVATE_NAME_TAKEN, await(onB.create(new IngestPoint("cam-secret", "other"))));
        assertEquals(CreateResult.PUBLIC_NAME_TAKEN, await(onB.create(new IngestPoint("other-secret", "cam"))));
        assertEquals(CreateResult.PRIVATE_NAME_IS_PUBLIC, await(onB.create(new IngestPoint("cam", "other"))));
        assertEquals(CreateResult.PUBLIC_NAME_IS_PRIVATE, await(onB.create(new IngestPoint("other", "cam-secret"))));
        assertEquals(CreateResult.SAME_NAME, await(onB.create(new IngestPoint("same", "same"))));
        assertEquals(CreateResult.INVALID_NAME, await(onB.create(new IngestPoint("bad/name", "ok"))));
        assertEquals(CreateResult.INVALID_NAME, await(onB.create(new IngestPoint("ok", ".."))));
        assertEquals(CreateResult.INVALID_NAME, await(onB.create(new IngestPoint("x".repeat(129), "ok"))));

        assertEquals("cam", await(onB.resolve("cam-secret")));
        assertNull(await(onB.resolve("cam")), "a public name is no private name");
        assertTrue(await(onB.isPublicName("cam")));
        assertFalse(await(onB.isPublicName("cam-secret")));
        assertEquals(List.of(new IngestPoint("cam-secret", "cam")), await(onB.list()));

        assertEquals(CreateResult.CREATED, await(onB.create(new IngestPoint("b-secret", "b"))));
        assertEquals(List.of(new IngestPoint("b-secret", "b"), new IngestPoint("cam-secret", "cam")), await(onA.list()));

        assertFalse(await(onA.remove("cam")), "removal is by private name");
        assertTrue(await(onA.remove("cam-secret")));
        assertFalse(await(onB.remove("cam-secret")));
        assertNull(await(onB.resolve("cam-secret")));
        assertFalse(await(onB.isPublicName("cam")));
        // both names are free again, even the other way round
        assertEquals(CreateResult.CREATED, await(onB.create(new IngestPoint("cam", "cam-secret"))));
    }

    @Test
    void racingCreatesOfOnePublicNameFromTwoMembersLetExactlyOneWin() throws Exception {
        IngestPointStore onA = new HazelcastIngestPointStore(vertx, a, null);
        IngestPointStore onB = new HazelcastIngestPointStore(vertx, b, null);
        for (int i = 0; i < 20; i++) {
            Future<CreateResult> x = onA.create(new IngestPoint("a-" + i, "race-" + i));
            Future<CreateResult> y = onB.create(new IngestPoint("b-" + i, "race-" + i));
            List<CreateResult> both = List.of(await(x), await(y));
            assertTrue(both.contains(CreateResult.CREATED) && both.contains(CreateResult.PUBLIC_NAME_TAKEN),
                    "round " + i + ": " + both);
        }
        assertEquals(20, await(onA.list()).size());
    }

    @Test
    void losingOneMemberLosesNoIngestPoint() throws Exception {
        IngestPointStore onA = new HazelcastIngestPointStore(vertx, a, null);
        for (int i = 0; i < 50; i++) {
            assertEquals(CreateResult.CREATED, await(onA.create(new IngestPoint("secret-" + i, "public-" + i))));
        }
        a.getLifecycleService().terminate(); // no goodbye: only the backups on b are left
        IngestPointStore onB = new HazelcastIngestPointStore(vertx, b, null);
        assertEquals(50, await(onB.list()).size());
        for (int i = 0; i < 50; i++) {
            assertEquals("public-" + i, await(onB.resolve("secret-" + i)));
            assertTrue(await(onB.isPublicName("public-" + i)));
        }
    }

    @Test
    void aRestartOfTheWholeClusterKeepsTheIngestPoints() throws Exception {
        Path fileA = dir.resolve("a").resolve(IngestPointSnapshot.FILE_NAME);
        Path fileB = dir.resolve("b").resolve(IngestPointSnapshot.FILE_NAME);
        HazelcastIngestPointStore onA = new HazelcastIngestPointStore(vertx, a, fileA);
        HazelcastIngestPointStore onB = new HazelcastIngestPointStore(vertx, b, fileB);
        assertEquals(0, await(onA.loadSnapshot()));
        assertEquals(0, await(onB.loadSnapshot()));
        assertFalse(Files.exists(fileA), "no file before the first ingest point");
        assertEquals(CreateResult.CREATED, await(onA.create(new IngestPoint("one-secret", "one"))));
        assertEquals(CreateResult.CREATED, await(onA.create(new IngestPoint("two-secret", "two"))));
        assertEquals(CreateResult.CREATED, await(onA.create(new IngestPoint("gone-secret", "gone"))));
        assertTrue(await(onA.remove("gone-secret")));
        List<IngestPoint> expected = List.of(new IngestPoint("one-secret", "one"), new IngestPoint("two-secret", "two"));
        assertEquals(expected, IngestPointSnapshot.read(fileA), "written by the node that made the change");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!IngestPointSnapshot.read(fileB).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, IngestPointSnapshot.read(fileB), "the other node followed the changes");

        onA.close();
        onB.close();
        a.getLifecycleService().terminate();
        b.getLifecycleService().terminate();

        // a fresh cluster whose first member has b's data.dir
        int pc = Ports.free();
        int pd = Ports.free();
        HazelcastInstance c = member("ingest-restart-" + pc, pc, pd);
        HazelcastIngestPointStore onC = new HazelcastIngestPointStore(vertx, c, fileB);
        assertEquals(2, await(onC.loadSnapshot()));
        assertEquals(expected, await(onC.list()));
        assertEquals("one", await(onC.resolve("one-secret")));
        assertEquals(CreateResult.PUBLIC_NAME_TAKEN, await(onC.create(new IngestPoint("x", "two"))));

        // a second member joining the running cluster keeps the cluster's set, not its own older file
        Path fileD = dir.resolve("d").resolve(IngestPointSnapshot.FILE_NAME);
        IngestPointSnapshot.write(fileD, List.of(new IngestPoint("stale-secret", "stale")));
        HazelcastInstance d = member("ingest-restart-" + pc, pd, pc);
        HazelcastIngestPointStore onD = new HazelcastIngestPointStore(vertx, d, fileD);
        assertEquals(0, await(onD.loadSnapshot()));
        assertEquals(expected, await(onD.list()));
        assertEquals(expected, IngestPointSnapshot.read(fileD));
    }

    @Test
    void aDamagedFileStopsTheLoadInsteadOfBeingOverwritten() throws Exception {
        Path file = dir.resolve(IngestPointSnapshot.FILE_NAME);
        for (String damaged : List.of("{not json", "{\"version\":2,\"ingestPoints\":[]}",
                "{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"../x\",\"publicStreamName\":\"y\"}]}",
                "{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"x\"}]}")) {
            Files.writeString(file, damaged);
            HazelcastIngestPointStore store = new HazelcastIngestPointStore(vertx, a, file);
            assertThrows(ExecutionException.class, () -> await(store.loadSnapshot()), damaged);
            store.close();
            assertEquals(damaged, Files.readString(file));
        }
        assertTrue(await(new HazelcastIngestPointStore(vertx, a, null).list()).isEmpty());
    }
}
