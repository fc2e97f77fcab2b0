package io.cascade.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.cascade.cluster.IngestPointStore.CreateResult;
import io.cascade.testing.Await;
import io.cascade.testing.LoopbackHazelcast;
import io.cascade.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real Hazelcast members on loopback: names unique both ways, a lost member loses nothing, a restart keeps all.
 * Each test is one chain of the store's futures, in order, every step bounded; Hazelcast's own blocking calls and
 * file checks run as steps on a worker.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HazelcastIngestPointStoreTest {
    private static final long STEP_SECONDS = 20;
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
    void start(Vertx vertx) {
        this.vertx = vertx;
        int pa = Ports.free();
        int pb = Ports.free();
        String name = "ingest-test-" + pa;
        a = member(name, pa, pb);
        b = member(name, pb, pa);
        assertEquals(2, b.getCluster().getMembers().size());
    }

    @AfterEach
    void stop() {
        for (HazelcastInstance h : members) {
            if (h.getLifecycleService().isRunning()) {
                h.getLifecycleService().terminate();
            }
        }
    }

    /** Runs the steps one after the other, each once the one before it succeeded; the first failure ends it. */
    @SafeVarargs
    private static Future<Void> inOrder(Supplier<Future<?>>... steps) {
        Future<?> chain = Future.succeededFuture();
        for (Supplier<Future<?>> step : steps) {
            chain = chain.compose(done -> step.get().timeout(STEP_SECONDS, TimeUnit.SECONDS));
        }
        return chain.mapEmpty();
    }

    /** A step: the call completes with the expected value. */
    private static <T> Supplier<Future<?>> expect(T expected, Supplier<Future<T>> call) {
        return expect(expected, call, null);
    }

    private static <T> Supplier<Future<?>> expect(T expected, Supplier<Future<T>> call, String message) {
        return () -> call.get().map(actual -> {
            assertEquals(expected, actual, message);
            return actual;
        });
    }

    /** A step: the call fails. */
    private static Supplier<Future<?>> expectFailure(Supplier<Future<?>> call, String message) {
        return () -> call.get().transform(ar -> ar.failed() ? Future.succeededFuture()
                : Future.failedFuture(new AssertionError("expected a failure, got " + ar.result() + ": " + message)));
    }

    /** A step that blocks (Hazelcast's lifecycle, file reads, polling), on a worker and never on an event loop. */
    private Supplier<Future<?>> blocking(Callable<?> work) {
        return () -> vertx.executeBlocking(work, false);
    }

    /** Assertions on files or Hazelcast, which may block. */
    private Supplier<Future<?>> check(Check assertions) {
        return blocking(() -> {
            assertions.run();
            return null;
        });
    }

    @FunctionalInterface
    private interface Check {
        void run() throws Exception;
    }

    @Test
    void bothNamesAreUniqueAcrossBothSetsInTheWholeCluster(VertxTestContext ctx) {
        IngestPointStore onA = new HazelcastIngestPointStore(vertx, a, null);
        IngestPointStore onB = new HazelcastIngestPointStore(vertx, b, null);
        inOrder(
                expect(CreateResult.CREATED, () -> onA.create(new IngestPoint("cam-secret", "cam"))),
                expect(CreateResult.PRIVATE_NAME_TAKEN, () -> onB.create(new IngestPoint("cam-secret", "other"))),
                expect(CreateResult.PUBLIC_NAME_TAKEN, () -> onB.create(new IngestPoint("other-secret", "cam"))),
                expect(CreateResult.PRIVATE_NAME_IS_PUBLIC, () -> onB.create(new IngestPoint("cam", "other"))),
                expect(CreateResult.PUBLIC_NAME_IS_PRIVATE, () -> onB.create(new IngestPoint("other", "cam-secret"))),
                expect(CreateResult.SAME_NAME, () -> onB.create(new IngestPoint("same", "same"))),
                expect(CreateResult.INVALID_NAME, () -> onB.create(new IngestPoint("bad/name", "ok"))),
                expect(CreateResult.INVALID_NAME, () -> onB.create(new IngestPoint("ok", ".."))),
                expect(CreateResult.INVALID_NAME, () -> onB.create(new IngestPoint("x".repeat(129), "ok"))),

                expect("cam", () -> onB.resolve("cam-secret")),
                expect(null, () -> onB.resolve("cam"), "a public name is no private name"),
                expect(true, () -> onB.isPublicName("cam")),
                expect(false, () -> onB.isPublicName("cam-secret")),
                expect(List.of(new IngestPoint("cam-secret", "cam")), onB::list),

                expect(CreateResult.CREATED, () -> onB.create(new IngestPoint("b-secret", "b"))),
                expect(List.of(new IngestPoint("b-secret", "b"), new IngestPoint("cam-secret", "cam")), onA::list),

                expect(false, () -> onA.remove("cam"), "removal is by private name"),
                expect(true, () -> onA.remove("cam-secret")),
                expect(false, () -> onB.remove("cam-secret")),
                expect(null, () -> onB.resolve("cam-secret")),
                expect(false, () -> onB.isPublicName("cam")),
                // both names are free again, even the other way round
                expect(CreateResult.CREATED, () -> onB.create(new IngestPoint("cam", "cam-secret")))
        ).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void racingCreatesOfOnePublicNameFromTwoMembersLetExactlyOneWin(VertxTestContext ctx) {
        IngestPointStore onA = new HazelcastIngestPointStore(vertx, a, null);
        IngestPointStore onB = new HazelcastIngestPointStore(vertx, b, null);
        List<Supplier<Future<?>>> rounds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int round = i;
            rounds.add(() -> Future.all(onA.create(new IngestPoint("a-" + round, "race-" + round)),
                    onB.create(new IngestPoint("b-" + round, "race-" + round))).map(both -> {
                        List<CreateResult> results = both.list();
                        assertTrue(results.contains(CreateResult.CREATED)
                                && results.contains(CreateResult.PUBLIC_NAME_TAKEN), "round " + round + ": " + results);
                        return results;
                    }));
        }
        rounds.add(expect(20, () -> onA.list().map(List::size)));
        inOrder(steps(rounds)).onComplete(ctx.succeedingThenComplete());
    }

    @SuppressWarnings("unchecked")
    private static Supplier<Future<?>>[] steps(List<Supplier<Future<?>>> steps) {
        return steps.toArray(Supplier[]::new);
    }

    @Test
    void losingOneMemberLosesNoIngestPoint(VertxTestContext ctx) {
        IngestPointStore onA = new HazelcastIngestPointStore(vertx, a, null);
        IngestPointStore onB = new HazelcastIngestPointStore(vertx, b, null);
        List<Supplier<Future<?>>> steps = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            IngestPoint point = new IngestPoint("secret-" + i, "public-" + i);
            steps.add(expect(CreateResult.CREATED, () -> onA.create(point)));
        }
        steps.add(blocking(() -> {
            a.getLifecycleService().terminate(); // no goodbye: only the backups on b are left
            return null;
        }));
        steps.add(expect(50, () -> onB.list().map(List::size)));
        for (int i = 0; i < 50; i++) {
            int n = i;
            steps.add(expect("public-" + n, () -> onB.resolve("secret-" + n)));
            steps.add(expect(true, () -> onB.isPublicName("public-" + n)));
        }
        inOrder(steps(steps)).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void aRestartOfTheWholeClusterKeepsTheIngestPoints(VertxTestContext ctx) {
        Path fileA = dir.resolve("a").resolve(IngestPointSnapshot.FILE_NAME);
        Path fileB = dir.resolve("b").resolve(IngestPointSnapshot.FILE_NAME);
        Path fileD = dir.resolve("d").resolve(IngestPointSnapshot.FILE_NAME);
        HazelcastIngestPointStore onA = new HazelcastIngestPointStore(vertx, a, fileA);
        HazelcastIngestPointStore onB = new HazelcastIngestPointStore(vertx, b, fileB);
        List<IngestPoint> expected = List.of(new IngestPoint("one-secret", "one"), new IngestPoint("two-secret", "two"));
        int pc = Ports.free();
        int pd = Ports.free();
        // the members and stores of the restarted cluster, made by the steps that start them
        List<HazelcastIngestPointStore> restarted = new ArrayList<>();
        inOrder(
                expect(0, onA::loadSnapshot),
                expect(0, onB::loadSnapshot),
                check(() -> assertFalse(Files.exists(fileA), "no file before the first ingest point")),
                expect(CreateResult.CREATED, () -> onA.create(new IngestPoint("one-secret", "one"))),
                expect(CreateResult.CREATED, () -> onA.create(new IngestPoint("two-secret", "two"))),
                expect(CreateResult.CREATED, () -> onA.create(new IngestPoint("gone-secret", "gone"))),
                expect(true, () -> onA.remove("gone-secret")),
                blocking(() -> {
                    assertEquals(expected, IngestPointSnapshot.read(fileA), "written by the node that made the change");
                    // the other node writes its file when the cluster's change events reach it
                    Await.until("the other node followed the changes", Duration.ofSeconds(10),
                            () -> IngestPointSnapshot.read(fileB).equals(expected));
                    onA.close();
                    onB.close();
                    a.getLifecycleService().terminate();
                    b.getLifecycleService().terminate();
                    // a fresh cluster whose first member has b's data.dir
                    restarted.add(new HazelcastIngestPointStore(vertx, member("ingest-restart-" + pc, pc, pd), fileB));
                    return null;
                }),
                expect(2, () -> restarted.get(0).loadSnapshot()),
                expect(expected, () -> restarted.get(0).list()),
                expect("one", () -> restarted.get(0).resolve("one-secret")),
                expect(CreateResult.PUBLIC_NAME_TAKEN, () -> restarted.get(0).create(new IngestPoint("x", "two"))),
                blocking(() -> {
                    // a second member joining the running cluster keeps the cluster's set, not its own older file
                    IngestPointSnapshot.write(fileD, List.of(new IngestPoint("stale-secret", "stale")));
                    restarted.add(new HazelcastIngestPointStore(vertx, member("ingest-restart-" + pc, pd, pc), fileD));
                    return null;
                }),
                expect(0, () -> restarted.get(1).loadSnapshot()),
                expect(expected, () -> restarted.get(1).list()),
                check(() -> assertEquals(expected, IngestPointSnapshot.read(fileD)))
        ).onComplete(ctx.succeedingThenComplete());
    }

    @Test
    void aDamagedFileStopsTheLoadInsteadOfBeingOverwritten(VertxTestContext ctx) {
        Path file = dir.resolve(IngestPointSnapshot.FILE_NAME);
        List<Supplier<Future<?>>> steps = new ArrayList<>();
        for (String damaged : List.of("{not json", "{\"version\":2,\"ingestPoints\":[]}",
                "{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"../x\",\"publicStreamName\":\"y\"}]}",
                "{\"version\":1,\"ingestPoints\":[{\"privateStreamName\":\"x\"}]}")) {
            List<HazelcastIngestPointStore> store = new ArrayList<>();
            steps.add(blocking(() -> {
                Files.writeString(file, damaged);
                store.add(new HazelcastIngestPointStore(vertx, a, file));
                return null;
            }));
            steps.add(expectFailure(() -> store.get(0).loadSnapshot(), damaged));
            steps.add(check(() -> {
                store.get(0).close();
                assertEquals(damaged, Files.readString(file));
            }));
        }
        steps.add(() -> vertx.executeBlocking(() -> new HazelcastIngestPointStore(vertx, a, null), false)
                .compose(IngestPointStore::list)
                .map(points -> {
                    assertTrue(points.isEmpty());
                    return points;
                }));
        inOrder(steps(steps)).onComplete(ctx.succeedingThenComplete());
    }
}
