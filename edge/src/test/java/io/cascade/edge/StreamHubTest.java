package io.cascade.edge;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.Codecs;
import io.cascade.cluster.FrameBatch;
import io.cascade.media.Codec;
import io.cascade.media.GopCache;
import io.cascade.media.MediaFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.cascade.testing.Await;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hub joining a live stream gets the snapshot and then the live frames with no gap and no duplicate. */
@ExtendWith(VertxExtension.class)
class StreamHubTest {
    private Vertx vertx;

    @BeforeEach
    void start(Vertx vertx) {
        this.vertx = vertx;
        Codecs.register(vertx.eventBus());
    }

    private static MediaFrame frame(long seq, boolean key) {
        return new MediaFrame(0, Codec.H264, seq * 40, seq * 40, 1000, key ? MediaFrame.FLAG_KEYFRAME : 0, 0, seq,
                new byte[] {(byte) seq});
    }

    /** Records what reaches a sink: the hub's snapshot once the stream starts, then every live frame. */
    private static final class RecordingSink implements FrameSink {
        final List<Long> sequences = new CopyOnWriteArrayList<>();
        final List<Long> beforeStart = new CopyOnWriteArrayList<>();
        final StreamHub hub;
        final Promise<Void> started = Promise.promise();
        final java.util.concurrent.atomic.AtomicInteger stops = new java.util.concurrent.atomic.AtomicInteger();

        RecordingSink(StreamHub hub) {
            this.hub = hub;
        }

        @Override
        public void onFrame(MediaFrame frame) {
            (started.future().isComplete() ? sequences : beforeStart).add(frame.sequence());
        }

        @Override
        public void onStarted() {
            hub.snapshot().forEach(f -> sequences.add(f.sequence()));
            started.tryComplete();
        }

        @Override
        public void onStopped() {
            stops.incrementAndGet();
        }

        @Override
        public void onClosed() {
        }
    }

    /** This node's hubs; the registry names node "ingest" as every stream's owner. */
    private StreamHubs hubs() {
        return new StreamHubs(vertx, "edge", 1000, new io.cascade.metrics.NodeCounters(),
                stream -> Future.succeededFuture("ingest"));
    }

    /** A hub for the stream on an edge context, with a recording sink. */
    private RecordingSink follow(StreamHubs hubs, String name) throws Exception {
        Context edge = vertx.getOrCreateContext();
        Promise<RecordingSink> sinkReady = Promise.promise();
        edge.runOnContext(v -> {
            StreamHub hub = hubs.acquire(name, edge);
            edge.runOnContext(w -> sinkReady.tryComplete(hub.sink(RecordingSink.class, () -> new RecordingSink(hub))));
        });
        return sinkReady.future().await(5, TimeUnit.SECONDS);
    }

    @Test
    void joiningMidStreamHasNoGapAndNoDuplicate() throws Exception {
        String name = "seam";
        GopCache ingestGop = new GopCache();
        // the ingest side answers late, so the snapshot overlaps live frames the hub already buffered
        vertx.eventBus().consumer(Addresses.subscribe(name, "ingest"), msg -> vertx.setTimer(200,
                id -> msg.reply(new FrameBatch(ingestGop.snapshot(), ingestGop.lastSequence(), "ingest/1", 0, 2000))));
        Context ingest = vertx.getOrCreateContext();
        long[] next = {0};
        Promise<Void> firstHalf = Promise.promise();
        ingest.runOnContext(v -> {
            for (; next[0] < 10; next[0]++) {
                MediaFrame f = frame(next[0], next[0] % 5 == 0);
                ingestGop.add(f);
                vertx.eventBus().send(Addresses.feed(name, "edge"), f);
            }
            firstHalf.tryComplete();
        });
        firstHalf.future().await(5, TimeUnit.SECONDS);

        StreamHubs hubs = hubs();
        RecordingSink sink = follow(hubs, name);
        // live frames published while the snapshot request is in flight
        ingest.runOnContext(v -> {
            for (; next[0] < 20; next[0]++) {
                MediaFrame f = frame(next[0], next[0] % 5 == 0);
                ingestGop.add(f);
                vertx.eventBus().send(Addresses.feed(name, "edge"), f);
            }
        });
        sink.started.future().await(5, TimeUnit.SECONDS);
        ingest.runOnContext(v -> {
            for (; next[0] < 25; next[0]++) {
                vertx.eventBus().send(Addresses.feed(name, "edge"), frame(next[0], next[0] % 5 == 0));
            }
        });
        Await.until("ten frames after the snapshot", Duration.ofSeconds(5), () -> sink.sequences.size() >= 10);
        // the snapshot is the GOP from keyframe 15; the buffered 10..19 it already holds are not replayed;
        // live frames follow with no gap and no repeat
        assertEquals(List.of(), sink.beforeStart);
        assertEquals(java.util.stream.LongStream.range(15, 25).boxed().toList(), sink.sequences);
        assertEquals(1, hubs.size());
    }

    @Test
    void theLateStartOfTheFollowedPublishStopsNothingButAnotherPublishDoes() throws Exception {
        String name = "late";
        java.util.concurrent.atomic.AtomicInteger subscriptions = new java.util.concurrent.atomic.AtomicInteger();
        vertx.eventBus().consumer(Addresses.subscribe(name, "ingest"), msg -> msg.reply(new FrameBatch(List.of(), -1,
                "ingest/" + subscriptions.incrementAndGet(), 0, 2000)));
        vertx.eventBus().consumer(Addresses.subscribe(name, "elsewhere"), msg -> msg.reply(new FrameBatch(List.of(), -1,
                "elsewhere/" + subscriptions.incrementAndGet(), 0, 2000)));
        StreamHubs hubs = hubs();
        RecordingSink sink = follow(hubs, name);
        sink.started.future().await(5, TimeUnit.SECONDS); // the subscription answered with publish ingest/1

        // its STARTED event arrives after the subscription: nothing ends
        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new io.cascade.cluster.StreamEvent(
                io.cascade.cluster.StreamEvent.Kind.STARTED, name, "ingest/1"));
        Thread.sleep(300); // nothing may happen: time for a wrong reaction to show
        assertEquals(0, sink.stops.get());
        assertEquals(1, subscriptions.get());

        // a stop of some older publish changes nothing either
        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new io.cascade.cluster.StreamEvent(
                io.cascade.cluster.StreamEvent.Kind.STOPPED, name, "ingest/0"));
        Thread.sleep(300); // nothing may happen: time for a wrong reaction to show
        assertEquals(0, sink.stops.get());

        // another publish starts (the followed one's node died silently): end it and follow the new one
        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new io.cascade.cluster.StreamEvent(
                io.cascade.cluster.StreamEvent.Kind.STARTED, name, "elsewhere/9"));
        Await.until("a subscription to the new publish", Duration.ofSeconds(5), () -> subscriptions.get() >= 2);
        assertEquals(1, sink.stops.get());
        assertEquals(2, subscriptions.get());
    }

    @Test
    void aStartArrivingWhileASubscriptionToASilentOwnerIsPendingIsFollowedAtOnce() throws Exception {
        String name = "moved";
        // the frozen owner keeps its registration and never answers
        Promise<Void> askedFrozen = Promise.promise();
        vertx.eventBus().consumer(Addresses.subscribe(name, "frozen"), msg -> askedFrozen.tryComplete());
        vertx.eventBus().consumer(Addresses.subscribe(name, "fresh"), msg -> msg.reply(new FrameBatch(List.of(), -1,
                "fresh/1", 0, 2000)));
        StreamHubs hubs = new StreamHubs(vertx, "edge", 1000, new io.cascade.metrics.NodeCounters(),
                stream -> Future.succeededFuture("frozen")); // the registry has not noticed yet
        Context edge = vertx.getOrCreateContext();
        Promise<RecordingSink> sinkReady = Promise.promise();
        edge.runOnContext(v -> {
            StreamHub hub = hubs.acquire(name, edge);
            edge.runOnContext(w -> sinkReady.tryComplete(hub.sink(RecordingSink.class, () -> new RecordingSink(hub))));
        });
        RecordingSink sink = sinkReady.future().await(5, TimeUnit.SECONDS);
        askedFrozen.future().await(5, TimeUnit.SECONDS); // the subscription to the frozen owner is on its way
        long t0 = System.nanoTime();
        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new io.cascade.cluster.StreamEvent(
                io.cascade.cluster.StreamEvent.Kind.STARTED, name, "fresh/1"));
        sink.started.future().await(5, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < StreamHub.SNAPSHOT_TIMEOUT_MS / 2, "followed the new owner after " + ms + " ms");
    }

    @Test
    void aFailedSubscriptionIsTriedAgainWhileTheRegistryNamesAnOwner() throws Exception {
        String name = "retry";
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        vertx.eventBus().consumer(Addresses.subscribe(name, "ingest"), msg -> {
            if (asked.incrementAndGet() < 3) {
                msg.fail(503, "not ready"); // e.g. a request lost on the way
            } else {
                msg.reply(new FrameBatch(List.of(), -1, "ingest/1", 0, 2000));
            }
        });
        StreamHubs hubs = hubs();
        RecordingSink sink = follow(hubs, name);
        sink.started.future().await(5, TimeUnit.SECONDS);
        assertEquals(3, asked.get());
    }
}
