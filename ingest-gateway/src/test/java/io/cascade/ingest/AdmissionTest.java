package io.cascade.ingest;

import io.cascade.auth.Action;
import io.cascade.auth.Authorisation;
import io.cascade.auth.UrlTokens;
import io.cascade.cluster.IngestPoint;
import io.cascade.cluster.IngestPointStore;
import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.media.Segmenter;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a publish is admitted or refused, with an in-memory registry and ingest-point store: no sockets. */
@ExtendWith(VertxExtension.class)
class AdmissionTest {
    private final NodeCounters counters = new NodeCounters();
    private final MemoryRegistry registry = new MemoryRegistry();

    private Admission admission(Vertx vertx, IngestPointStore points) {
        io.cascade.cluster.Codecs.register(vertx.eventBus()); // a started stream announces itself on the bus
        return new Admission(vertx, registry, "node-a", counters, points,
                new Publication.Settings(1 << 20, new IngestStream.Segments(Segmenter.DEFAULT_TARGET_MILLIS, 3)));
    }

    private static Admission.Attempt attempt(String name) {
        return new Admission.Attempt(name, "", "test", "127.0.0.1:9");
    }

    private static void refused(VertxTestContext ctx, Future<Publication> f, Admission.Refusal reason, Runnable then) {
        f.onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(reason, ((Admission.Refused) e).reason());
            then.run();
            ctx.completeNow();
        })));
    }

    @Test
    void anAdmittedPublishHoldsTheNameUntilItCloses(Vertx vertx, VertxTestContext ctx) {
        Admission admission = admission(vertx, null);
        admission.admit(attempt("cam")).onComplete(ctx.succeeding(p -> ctx.verify(() -> {
            assertEquals("cam", p.name());
            assertEquals("node-a", registry.streams.get("cam").ownerNode());
            assertEquals("test", registry.streams.get("cam").ingestProtocol(), "the protocol is the stream's");
            int[] ended = {0};
            p.start("detail", () -> {
                ended[0]++;
                p.close(0); // as a protocol's connection close does
            });
            assertEquals(1, counters.protocol("test").publishers.sum());
            assertEquals(1, admission.publishers());
            admission.endAllPublishers(); // a drain: the protocol is told to end its publisher
            assertEquals(1, ended[0]);
            assertEquals(0, admission.publishers());
            assertEquals(0, counters.protocol("test").publishers.sum());
            assertFalse(registry.streams.containsKey("cam"), "the name is free again");
            admission.endAllPublishers();
            assertEquals(1, ended[0], "an ended publisher is not ended twice");
            ctx.completeNow();
        })));
    }

    @Test
    void aPublisherWhoseNameAHealedPartitionGaveToAnotherNodeIsEnded(Vertx vertx, VertxTestContext ctx) {
        Admission admission = admission(vertx, null);
        admission.admit(attempt("split")).compose(split -> admission.admit(attempt("kept")).map(kept -> {
            int[] ended = {0, 0};
            split.start("detail", () -> {
                ended[0]++;
                split.close(0);
            });
            kept.start("detail", () -> ended[1]++);
            registry.lost.add("split"); // the merged registry names another node's publisher of it
            return ended;
        })).onComplete(ctx.succeeding(ended -> {
            long deadline = System.nanoTime() + 3 * Admission.OWNERSHIP_CHECK_MS * 1_000_000;
            vertx.setPeriodic(50, id -> ctx.verify(() -> {
                if (ended[0] == 0 && System.nanoTime() < deadline) {
                    return;
                }
                vertx.cancelTimer(id);
                assertEquals(1, ended[0], "the publisher of the lost name was ended");
                assertEquals(0, ended[1], "the publisher of a name still this node's stays");
                assertEquals(1, counters.publishersEndedNameLost.sum());
                assertEquals(1, admission.publishers());
                ctx.completeNow();
            }));
        }));
    }

    @Test
    void aRelayPublishesUnderItsPublicNameWithoutIngestPointsOrAuthorisation(Vertx vertx, VertxTestContext ctx) {
        Admission admission = admission(vertx, new MemoryPoints(Map.of())); // ingest points required, none exist
        admission.admit(attempt("pulled")).onComplete(ctx.failing(refused -> ctx.verify(() -> {
            assertEquals(Admission.Refusal.NOT_INGEST_POINT, ((Admission.Refused) refused).reason());
            admission.admitRelay("pulled", "rtmp", "pull rtmp://src/live/x").onComplete(ctx.succeeding(p -> ctx.verify(() -> {
                assertEquals("pulled", p.name());
                assertEquals("node-a", registry.streams.get("pulled").ownerNode(), "claimed cluster-wide all the same");
                admission.admitRelay("pulled", "rtmp", "pull again").onComplete(ctx.failing(again -> ctx.verify(() -> {
                    assertEquals(Admission.Refusal.NAME_IN_USE, ((Admission.Refused) again).reason());
                    admission.admitRelay("../x", "rtmp", "pull").onComplete(ctx.failing(bad -> ctx.verify(() -> {
                        assertEquals(Admission.Refusal.BAD_NAME, ((Admission.Refused) bad).reason());
                        ctx.completeNow();
                    })));
                })));
            })));
        })));
    }

    @Test
    void withoutPublishersTheRegistryIsNotAsked(Vertx vertx, VertxTestContext ctx) {
        admission(vertx, null);
        vertx.setTimer(Admission.OWNERSHIP_CHECK_MS * 2 + 200, id -> ctx.verify(() -> {
            assertEquals(0, registry.reconciles.get(), "an idle node asks nothing");
            ctx.completeNow();
        }));
    }

    @Test
    void aNameThatBreaksTheNamingRuleIsABadName(Vertx vertx, VertxTestContext ctx) {
        refused(ctx, admission(vertx, null).admit(attempt("../etc")), Admission.Refusal.BAD_NAME,
                () -> assertEquals(1, counters.publishRefusedOther.sum()));
    }

    @Test
    void aLiveNameIsInUse(Vertx vertx, VertxTestContext ctx) {
        registry.streams.put("cam", new StreamRecord("cam", "node-b", "rtmp", 0));
        refused(ctx, admission(vertx, null).admit(attempt("cam")), Admission.Refusal.NAME_IN_USE, () -> {
            assertEquals(1, counters.publishRefusedNameInUse.sum());
            assertEquals("node-b", registry.streams.get("cam").ownerNode(), "the owner keeps it");
        });
    }

    @Test
    void withIngestPointsRequiredOnlyAPrivateNameIsAdmittedUnderItsPublicName(Vertx vertx, VertxTestContext ctx) {
        Admission admission = admission(vertx, new MemoryPoints(Map.of("secret-1", "cam")));
        admission.admit(attempt("cam")).onComplete(ctx.failing(e -> ctx.verify(() -> {
            assertEquals(Admission.Refusal.NOT_INGEST_POINT, ((Admission.Refused) e).reason());
            assertEquals(1, counters.publishRefusedNotIngestPoint.sum());
            admission.admit(attempt("secret-1")).onComplete(ctx.succeeding(p -> ctx.verify(() -> {
                assertEquals("cam", p.name());
                assertTrue(registry.streams.containsKey("cam"));
                assertFalse(registry.streams.containsKey("secret-1"), "the private name is never registered");
                p.close(0);
                ctx.completeNow();
            })));
        })));
    }

    @Test
    void withTokensRequiredTheNameTheClientSentMustBeSignedAndNothingIsClaimedBefore(Vertx vertx,
                                                                                  VertxTestContext ctx) {
        io.cascade.cluster.Codecs.register(vertx.eventBus());
        String secret = "admission-secret-0123456789";
        Admission admission = new Admission(vertx, registry, "node-a", counters,
                new MemoryPoints(Map.of("secret-1", "cam")),
                new Publication.Settings(1 << 20, new IngestStream.Segments(Segmenter.DEFAULT_TARGET_MILLIS, 3)),
                Authorisation.of(vertx, new Authorisation.Config(Authorisation.Mode.TOKEN, Authorisation.Mode.NONE,
                        secret, "", "", 0, 1_000, false)));
        UrlTokens tokens = new UrlTokens(secret);
        long expires = System.currentTimeMillis() / 1000 + 60;
        // a token for the public name does not publish to the private one: the publisher signs what it sends
        String forPublic = tokens.mint(Action.PUBLISH, "cam", expires);
        admission.admit(new Admission.Attempt("secret-1", forPublic, "test", "127.0.0.1:9"))
                .onComplete(ctx.failing(e -> ctx.verify(() -> {
                    assertEquals(Admission.Refusal.UNAUTHORISED, ((Admission.Refused) e).reason());
                    assertEquals(1, counters.publishRefusedUnauthorised.sum());
                    assertTrue(registry.streams.isEmpty(), "nothing claimed for a refused publisher");
                    String forPrivate = tokens.mint(Action.PUBLISH, "secret-1", expires);
                    admission.admit(new Admission.Attempt("secret-1", forPrivate, "test", "127.0.0.1:9"))
                            .onComplete(ctx.succeeding(p -> ctx.verify(() -> {
                                assertEquals("cam", p.name());
                                p.close(0);
                                ctx.completeNow();
                            })));
                })));
    }

    @Test
    void aRegistryThatDoesNotAnswerMeansTheClusterIsUnavailable(Vertx vertx, VertxTestContext ctx) {
        registry.down = true;
        refused(ctx, admission(vertx, null).admit(attempt("cam")), Admission.Refusal.CLUSTER_UNAVAILABLE,
                () -> assertEquals(1, counters.publishRefusedOther.sum()));
    }

    @Test
    void anIngestPointStoreThatDoesNotAnswerMeansTheClusterIsUnavailable(Vertx vertx, VertxTestContext ctx) {
        MemoryPoints points = new MemoryPoints(Map.of());
        points.down = true;
        refused(ctx, admission(vertx, points).admit(attempt("secret-1")), Admission.Refusal.CLUSTER_UNAVAILABLE,
                () -> assertTrue(registry.streams.isEmpty()));
    }

    @Test
    void theAnswerComesOnTheCallersContext(Vertx vertx, VertxTestContext ctx) {
        io.vertx.core.Context caller = vertx.getOrCreateContext();
        caller.runOnContext(v -> admission(vertx, null).admit(attempt("ctx")).onComplete(ctx.succeeding(p ->
                ctx.verify(() -> {
                    assertEquals(caller, Vertx.currentContext());
                    p.close(0);
                    ctx.completeNow();
                }))));
    }

    /** The registry's contract with the map in memory. */
    private static final class MemoryRegistry implements StreamRegistry {
        final Map<String, StreamRecord> streams = new ConcurrentHashMap<>();
        /** Names a healed partition gave to another node: what {@link #reconcile} answers. */
        final Set<String> lost = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger reconciles = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean down;

        @Override
        public Future<Boolean> claim(StreamRecord record) {
            return down ? Future.failedFuture("registry down")
                    : Future.succeededFuture(streams.putIfAbsent(record.name(), record) == null);
        }

        @Override
        public Future<Set<String>> reconcile() {
            reconciles.incrementAndGet();
            return Future.succeededFuture(Set.copyOf(lost));
        }

        @Override
        public Future<Void> release(String name, String ownerNode) {
            streams.computeIfPresent(name, (n, r) -> r.ownerNode().equals(ownerNode) ? null : r);
            return Future.succeededFuture();
        }

        @Override
        public Future<StreamRecord> find(String name) {
            return Future.succeededFuture(streams.get(name));
        }

        @Override
        public Future<List<StreamRecord>> list() {
            return Future.succeededFuture(List.copyOf(streams.values()));
        }

        @Override
        public Future<List<StreamRecord>> findAll(Set<String> names) {
            return Future.succeededFuture(names.stream().map(streams::get).filter(r -> r != null).toList());
        }

        @Override
        public Future<StreamTimeline> timeline(String name) {
            return Future.succeededFuture(StreamTimeline.NEW);
        }

        @Override
        public void saveTimeline(String name, StreamTimeline timeline) {
        }
    }

    /** Ingest points in memory: private name to public name. */
    private static final class MemoryPoints implements IngestPointStore {
        final Map<String, String> points;
        volatile boolean down;

        MemoryPoints(Map<String, String> points) {
            this.points = points;
        }

        @Override
        public Future<String> resolve(String privateName) {
            return down ? Future.failedFuture("store down") : Future.succeededFuture(points.get(privateName));
        }

        @Override
        public Future<Boolean> isPublicName(String name) {
            return Future.succeededFuture(points.containsValue(name));
        }

        @Override
        public Future<CreateResult> create(IngestPoint point) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Boolean> remove(String privateName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<List<IngestPoint>> list() {
            throw new UnsupportedOperationException();
        }
    }
}
