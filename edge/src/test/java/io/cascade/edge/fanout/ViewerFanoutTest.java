package io.cascade.edge.fanout;

import io.cascade.auth.Action;
import io.cascade.auth.Authorisation;
import io.cascade.auth.Credentials;
import io.cascade.auth.UrlTokens;
import io.cascade.cluster.Addresses;
import io.cascade.cluster.Codecs;
import io.cascade.cluster.FrameBatch;
import io.cascade.cluster.StreamEvent;
import io.cascade.edge.StreamHubs;
import io.cascade.media.Codec;
import io.cascade.media.GopCache;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.testing.Await;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The viewer policy every protocol shares, driven through a real hub with a test protocol: a counting encoder and
 * an output that records what it is given. No sockets.
 */
@ExtendWith(VertxExtension.class)
class ViewerFanoutTest {
    private static final String NODE = "edge";
    private static final String PROTOCOL = "test";
    /** The node ingesting every stream of these tests: what the registry would name as the owner. */
    private static final String INGEST = "ingest";

    private Vertx vertx;
    private final NodeCounters counters = new NodeCounters();
    private final AtomicInteger encodes = new AtomicInteger();
    /** The ingest side: what a subscription is answered with. */
    private final GopCache ingest = new GopCache();
    private volatile String publish = "ingest/1";
    private long sequence;

    @BeforeEach
    void setUp(Vertx vertx) {
        this.vertx = vertx;
        Codecs.register(vertx.eventBus());
    }

    /** Answers subscriptions to the stream as an ingesting node would. */
    private void ingesting(String stream) {
        vertx.eventBus().consumer(Addresses.subscribe(stream, INGEST), msg -> msg.reply(new FrameBatch(ingest.snapshot(),
                ingest.lastSequence(), publish, 0, 2000)));
    }

    private MediaFrame frame(int track, long ms, int flags) {
        Codec codec = track == 0 ? Codec.H264 : Codec.AAC;
        return new MediaFrame(track, codec, ms, ms, 1000, flags, 0, sequence++, new byte[] {(byte) ms});
    }

    /** A frame published live: into the ingest GOP and onto this node's feed. */
    private MediaFrame send(String stream, MediaFrame f) {
        ingest.add(f);
        vertx.eventBus().send(Addresses.feed(stream, NODE), f);
        return f;
    }

    private FrameEncoder countingEncoder() {
        return (frame, ts) -> {
            encodes.incrementAndGet();
            return new byte[] {(byte) frame.sequence(), (byte) ts};
        };
    }

    private Recorder play(Playback playback, String stream) throws Exception {
        Context context = vertx.getOrCreateContext();
        Recorder out = new Recorder(context);
        Promise<Viewer> viewer = Promise.promise();
        context.runOnContext(v -> viewer.tryComplete(playback.play(stream, Credentials.NONE, PROTOCOL, this::countingEncoder, out)));
        out.viewer = viewer.future().await(5, TimeUnit.SECONDS);
        return out;
    }

    private Playback playback(ViewerPolicy policy) {
        return new Playback(vertx, new StreamHubs(vertx, NODE, 1000, counters,
                stream -> io.vertx.core.Future.succeededFuture(INGEST)), counters, policy, null);
    }

    private static void await(String what, Await.Condition done) throws Exception {
        Await.until(what, Duration.ofSeconds(5), done);
    }

    @Test
    void viewersJoiningDuringOneGopShareOneEncodingOfItWithConfigAtTheGopsFirstTimestamp() throws Exception {
        ingesting("s");
        ingest.add(frame(0, 100, MediaFrame.FLAG_CONFIG)); // config sent long before the current GOP
        ingest.add(frame(1, 100, MediaFrame.FLAG_CONFIG));
        ingest.add(frame(0, 4000, MediaFrame.FLAG_KEYFRAME));
        ingest.add(frame(1, 4010, 0));
        ingest.add(frame(0, 4040, 0));
        Playback playback = playback(ViewerPolicy.DEFAULT);

        Recorder first = play(playback, "s");
        await("the first viewer gets the GOP", () -> first.written.size() == 5);
        assertEquals(5, encodes.get());
        assertEquals(List.of(4000L, 4000L, 4000L, 4010L, 4040L), first.timestamps(),
                "config frames carry the first frame's timestamp, not their own");

        Recorder second = play(playback, "s");
        await("the second viewer gets the GOP", () -> second.written.size() == 5);
        assertEquals(5, encodes.get(), "the GOP is encoded once, not once per viewer");
        for (int i = 0; i < 5; i++) {
            assertSame(first.written.get(i).bytes(), second.written.get(i).bytes(), "shared bytes, frame " + i);
        }

        send("s", frame(0, 4080, 0));
        await("both get the live frame", () -> first.written.size() == 6 && second.written.size() == 6);
        assertEquals(6, encodes.get(), "a live frame is encoded once for every viewer");
        Recorder third = play(playback, "s");
        await("a later joiner gets the GOP so far", () -> third.written.size() == 6);
        assertEquals(6, encodes.get(), "the live frame extended the shared GOP encoding");
        assertEquals(3, counters.protocol(PROTOCOL).viewers.sum(), "three viewers playing");
    }

    @Test
    void aViewerWhoseQueueIsFullSkipsToTheNextKeyframeNeverSkippingConfig() throws Exception {
        ingesting("q");
        ingest.add(frame(0, 0, MediaFrame.FLAG_CONFIG));
        ingest.add(frame(0, 0, MediaFrame.FLAG_KEYFRAME));
        Recorder viewer = play(playback(ViewerPolicy.DEFAULT), "q");
        await("playing", () -> viewer.written.size() == 2);

        viewer.full = true;
        send("q", frame(0, 40, 0));
        send("q", frame(0, 80, 0));
        MediaFrame config = send("q", frame(0, 90, MediaFrame.FLAG_CONFIG));
        await("config goes through a full queue", () -> viewer.written.size() == 3);
        assertSame(config, viewer.written.get(2).frame());
        assertEquals(2, counters.framesDroppedSlowViewer.sum(), "each skipped frame is counted");

        viewer.full = false;
        send("q", frame(0, 120, 0)); // the queue drained, but this frame cannot be decoded without the skipped ones
        MediaFrame key = send("q", frame(0, 160, MediaFrame.FLAG_KEYFRAME));
        await("resumes at the keyframe", () -> viewer.written.size() == 4);
        assertSame(key, viewer.written.get(3).frame());
        assertEquals(0, counters.viewersDisconnectedSlow.sum());
    }

    @Test
    void aViewerBehindForLongerThanThePolicyAllowsIsDisconnectedAndCounted() throws Exception {
        ingesting("slow");
        ingest.add(frame(0, 0, MediaFrame.FLAG_KEYFRAME));
        Recorder viewer = play(playback(new ViewerPolicy(1000, 200, 0)), "slow");
        await("playing", () -> viewer.written.size() == 1);
        viewer.full = true;
        for (int i = 1; !viewer.disconnected && i < 100; i++) {
            send("slow", frame(0, i * 40L, 0));
            Thread.sleep(20); // time must pass for the viewer to be behind for long: a frame every 20 ms, up to 2 s
        }
        assertTrue(viewer.disconnected, "disconnected after being behind for 200 ms");
        assertEquals(1, counters.viewersDisconnectedSlow.sum());
        await("no longer counted as playing", () -> counters.protocol(PROTOCOL).viewers.sum() == 0);
    }

    @Test
    void aRepublishContinuesTheTimestampsViewersSee() throws Exception {
        ingesting("re");
        ingest.add(frame(0, 0, MediaFrame.FLAG_CONFIG));
        ingest.add(frame(0, 5000, MediaFrame.FLAG_KEYFRAME));
        Recorder viewer = play(playback(ViewerPolicy.DEFAULT), "re");
        await("playing", () -> viewer.written.size() == 2);
        send("re", frame(0, 5040, 0));
        await("live", () -> viewer.written.size() == 3);

        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new StreamEvent(StreamEvent.Kind.STOPPED, "re", publish));
        await("told it stopped", () -> viewer.unpublished == 1);
        ingest.clear();
        publish = "ingest/2";
        ingest.add(frame(0, 0, MediaFrame.FLAG_CONFIG)); // the new publisher starts its clock at 0
        ingest.add(frame(0, 0, MediaFrame.FLAG_KEYFRAME));
        vertx.eventBus().publish(Addresses.STREAM_EVENTS, new StreamEvent(StreamEvent.Kind.STARTED, "re", publish));
        await("told it is back", () -> viewer.republished == 1);
        send("re", frame(0, 40, 0));
        await("frames of the new publish", () -> viewer.written.size() == 6);
        long before = viewer.timestamps().get(2);
        assertEquals(List.of(before + ViewerFanout.REBASE_GAP_MS, before + ViewerFanout.REBASE_GAP_MS,
                before + ViewerFanout.REBASE_GAP_MS + 40), viewer.timestamps().subList(3, 6));
    }

    @Test
    void aPlayOfANameNobodyPublishesIsNotFoundAfterThePlayWait() throws Exception {
        Recorder viewer = play(playback(new ViewerPolicy(300, 1000, 0)), "nobody");
        long t0 = System.nanoTime();
        await("not found", () -> viewer.notFound);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 250, "waited for the publisher first: " + ms + " ms");
        assertEquals(1, counters.playRefusedNotFound.sum());
        assertEquals(0, viewer.written.size());
    }

    @Test
    void withTokensRequiredAViewerPlaysOnlyWithAGoodTokenAndARefusalIsTypedAndCounted() throws Exception {
        ingesting("paid");
        ingest.add(frame(0, 0, MediaFrame.FLAG_CONFIG));
        ingest.add(frame(0, 0, MediaFrame.FLAG_KEYFRAME));
        String secret = "fan-out-secret-0123456789";
        Playback playback = new Playback(vertx, new StreamHubs(vertx, NODE, 1000, counters,
                stream -> io.vertx.core.Future.succeededFuture(INGEST)), counters, ViewerPolicy.DEFAULT, null,
                Authorisation.of(vertx, new Authorisation.Config(Authorisation.Mode.NONE, Authorisation.Mode.TOKEN,
                        secret, "", "", 0, 1_000, false)));
        assertTrue(playback.authorises());
        Context context = vertx.getOrCreateContext();
        Recorder refused = new Recorder(context);
        Promise<Viewer> v = Promise.promise();
        context.runOnContext(x -> v.complete(playback.play("paid", Credentials.NONE, PROTOCOL, this::countingEncoder, refused)));
        refused.viewer = v.future().await(5, TimeUnit.SECONDS);
        await("refused", () -> refused.unauthorised);
        assertEquals(0, refused.written.size());
        assertEquals(1, counters.playRefusedUnauthorised.sum());

        String token = new UrlTokens(secret).mint(Action.PLAY, "paid", System.currentTimeMillis() / 1000 + 60);
        Recorder allowed = new Recorder(context);
        Promise<Viewer> w = Promise.promise();
        context.runOnContext(x -> w.complete(playback.play("paid", Credentials.query(token), PROTOCOL, this::countingEncoder, allowed)));
        allowed.viewer = w.future().await(5, TimeUnit.SECONDS);
        await("plays", () -> allowed.written.size() == 2);
        assertFalse(allowed.unauthorised);

        // the answer before any work: a typed refusal, whether credentials came (HTTP: 403) or not (401)
        Playback.Refused r = (Playback.Refused) awaitFailure(playback.authorise("paid", Credentials.NONE, PROTOCOL, "x:1", context));
        assertEquals(Playback.Refusal.UNAUTHORISED, r.reason());
        assertEquals(401, r.httpStatus());
        Playback.Refused bad = (Playback.Refused) awaitFailure(playback.authorise("paid", Credentials.query(token.replace("sig=", "sig=0")),
                PROTOCOL, "x:1", context));
        assertEquals(403, bad.httpStatus());
        assertEquals("paid", playback.authorise("paid", Credentials.query(token), PROTOCOL, "x:1", context).await(5, TimeUnit.SECONDS)
                .stream());
        Throwable described = awaitFailure(playback.describe("paid", Credentials.NONE, PROTOCOL, "x:1", context));
        assertTrue(described instanceof Playback.Refused, String.valueOf(described));
    }

    private static Throwable awaitFailure(io.vertx.core.Future<?> f) throws Exception {
        try {
            f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("not refused");
    }

    /** A test protocol's connection: records what the fan-out gives it. */
    private static final class Recorder implements ViewerOutput {
        final Context context;
        final List<EncodedFrame> written = new CopyOnWriteArrayList<>();
        volatile Viewer viewer;
        volatile boolean full;
        volatile boolean disconnected;
        volatile boolean notFound;
        volatile boolean unauthorised;
        volatile int unpublished;
        volatile boolean wentAway;
        volatile int republished;

        Recorder(Context context) {
            this.context = context;
        }

        List<Long> timestamps() {
            return written.stream().map(EncodedFrame::timestampMillis).toList();
        }

        @Override
        public Context context() {
            return context;
        }

        @Override
        public String peer() {
            return "test";
        }

        @Override
        public void startPlaying() {
        }

        @Override
        public boolean writeQueueFull() {
            return full;
        }

        @Override
        public void write(EncodedFrame frame) {
            ByteBuf shared = frame.bytes();
            assertTrue(shared.readableBytes() > 0);
            written.add(frame);
        }

        @Override
        public void flush() {
        }

        @Override
        public void disconnect() {
            disconnected = true;
            viewer.close();
        }

        @Override
        public void notFound() {
            notFound = true;
        }

        @Override
        public void unauthorised() {
            unauthorised = true;
        }

        @Override
        public void unpublished() {
            unpublished++;
        }

        @Override
        public void goingAway() {
            wentAway = true;
        }

        @Override
        public void republished() {
            republished++;
        }
    }
}
