package io.cascade.edge;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.FeedAck;
import io.cascade.cluster.FrameBatch;
import io.cascade.cluster.StreamEvent;
import io.cascade.media.GopCache;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One stream as this node sees it: the node's single clustered consumer of the stream (its feed address), a GOP
 * cache for viewers who join later, and the sinks (one per output protocol) that turn frames into bytes.
 *
 * <p>Joining: the hub listens on its feed first and subscribes second; the ingesting node replies with its
 * snapshot and sends every later frame to the feed. Frames that arrive before the reply wait in a bounded
 * buffer and only those newer than the snapshot are replayed, so the seam has no gap and no duplicate. The hub
 * acknowledges what it received every {@link #ACK_INTERVAL_MS}: that is what lets the ingesting node bound what
 * is in flight towards this node. A live feed silent for {@link #FEED_SILENCE_MS} is subscribed again, which
 * also finds out when the ingesting node died. Everything runs on the hub's event loop ({@link #context()}).
 */
public final class StreamHub {
    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    /** How long the ingesting node may take to answer a subscription. */
    public static final long SNAPSHOT_TIMEOUT_MS = 3_000;
    /** Live frames held while the snapshot is on its way: seconds of video even at high frame rates. */
    public static final int MAX_SEAM_FRAMES = 1024;
    /** Acknowledgements per second: few enough to cost nothing, often enough to keep the window open. */
    public static final long ACK_INTERVAL_MS = 250;
    /** A live stream sends several frames a second; this long without one means the feed is lost. */
    public static final long FEED_SILENCE_MS = 3_000;

    private final Vertx vertx;
    private final EventBus bus;
    private final Context context;
    private final String name;
    private final String node;
    private final GopCache gop = new GopCache();
    private final NodeCounters counters;
    private final RateLimitedLog seamOverflow = new RateLimitedLog(log);
    private final Map<Class<?>, FrameSink> sinks = new LinkedHashMap<>();
    private MessageConsumer<MediaFrame> feed;
    private List<MediaFrame> seam;
    private boolean live;
    /** The publish this hub follows (from the snapshot reply), or null. */
    private String publish;
    private boolean closed;
    private long lastSequence = -1;
    private long lastAcked = -1;
    private long lastFrameNanos;
    private long timer = -1;
    int references; // guarded by StreamHubs

    StreamHub(Vertx vertx, Context context, String name, String node, NodeCounters counters) {
        this.vertx = vertx;
        this.bus = vertx.eventBus();
        this.context = context;
        this.name = name;
        this.node = node;
        this.counters = counters;
    }

    public String name() {
        return name;
    }

    public Context context() {
        return context;
    }

    /** Whether a publisher is live now, as far as this hub knows. */
    public boolean isLive() {
        return live;
    }

    /** Config, metadata and current GOP, for a viewer joining now. */
    public List<MediaFrame> snapshot() {
        return gop.snapshot();
    }

    /** The GOP cache's {@link GopCache#generation}: what lets a sink extend an encoded copy of the snapshot. */
    public long gopGeneration() {
        return gop.generation();
    }

    /**
     * The hub's sink of this type, created on first use. A sink created while the stream is live is given a fresh
     * snapshot (the hub subscribes again), so a packager starting late still sees the stream's recent segments.
     */
    @SuppressWarnings("unchecked")
    public <T extends FrameSink> T sink(Class<T> type, Supplier<T> create) {
        FrameSink existing = sinks.get(type);
        if (existing != null) {
            return (T) existing;
        }
        T created = create.get();
        sinks.put(type, created);
        if (live) {
            subscribe();
        }
        return created;
    }

    /** The hub's sink of this type, or null. */
    public <T extends FrameSink> T existingSink(Class<T> type) {
        return type.cast(sinks.get(type));
    }

    /** Detaches and closes the hub's sink of this type, if any. */
    public void removeSink(Class<? extends FrameSink> type) {
        FrameSink removed = sinks.remove(type);
        if (removed != null) {
            removed.onClosed();
        }
    }

    void open() {
        feed = bus.consumer(Addresses.feed(name, node), this::onFrame);
        timer = vertx.setPeriodic(ACK_INTERVAL_MS, id -> tick());
        subscribe();
    }

    void close() {
        closed = true;
        vertx.cancelTimer(timer);
        if (feed != null) {
            feed.unregister();
        }
        if (live) {
            bus.send(Addresses.acks(name), new FeedAck(node, lastSequence, true));
        }
        for (FrameSink s : sinks.values()) {
            s.onClosed();
        }
        sinks.clear();
        gop.clear();
    }

    /** A stream started or stopped somewhere in the cluster. */
    void onEvent(StreamEvent e) {
        if (closed) {
            return;
        }
        boolean current = e.publish().equals(publish);
        if (e.kind() == StreamEvent.Kind.STARTED) {
            if (current) {
                return; // the start of the publish already followed: the subscription overtook this event
            }
            // another publish started: the one followed (if any) ended, maybe with its node, without a word
            endPublish();
            subscribe();
        } else if (current || publish == null) {
            endPublish(); // a stop of an older publish, overtaken by a newer one, changes nothing
        }
    }

    private void endPublish() {
        if (live) {
            live = false;
            sinks.values().forEach(FrameSink::onStopped);
        }
        gop.clear();
        lastSequence = -1;
        lastAcked = -1;
        publish = null;
    }

    private void subscribe() {
        if (seam != null) {
            return; // a subscription is on its way already
        }
        seam = new ArrayList<>();
        bus.<FrameBatch>request(Addresses.subscribe(name), node, new DeliveryOptions().setSendTimeout(SNAPSHOT_TIMEOUT_MS))
                .onComplete(this::onSnapshot);
    }

    private void onSnapshot(AsyncResult<Message<FrameBatch>> reply) {
        List<MediaFrame> buffered = seam;
        seam = null;
        if (closed) {
            return;
        }
        boolean wasLive = live;
        if (reply.succeeded()) {
            FrameBatch batch = reply.result().body();
            gop.clear();
            for (MediaFrame f : batch.frames()) {
                gop.add(f);
            }
            lastSequence = batch.lastSequence();
            publish = batch.publish();
            live = true;
            lastFrameNanos = System.nanoTime();
            for (FrameSink s : sinks.values()) {
                s.onSnapshot(batch);
            }
            for (MediaFrame f : buffered) {
                dispatch(f);
            }
            if (!wasLive) {
                sinks.values().forEach(FrameSink::onStarted);
            }
        } else {
            log.debug("{}: no publisher answered ({}), waiting for one", name, reply.cause().getMessage());
            endPublish();
        }
    }

    private void onFrame(Message<MediaFrame> message) {
        if (closed) {
            return;
        }
        MediaFrame f = message.body();
        if (seam != null) {
            if (seam.size() < MAX_SEAM_FRAMES) {
                seam.add(f);
            } else {
                // the snapshot is late: frames lost here are recovered at the next keyframe
                counters.framesDroppedQueueFull.increment();
                seamOverflow.warn("{}: seam buffer full, a frame is lost while the snapshot is pending", name);
            }
            return;
        }
        if (live) {
            dispatch(f);
        }
    }

    private void dispatch(MediaFrame f) {
        if (f.sequence() <= lastSequence) {
            return; // already part of the snapshot
        }
        lastSequence = f.sequence();
        lastFrameNanos = System.nanoTime();
        gop.add(f);
        for (FrameSink s : sinks.values()) {
            s.onFrame(f);
        }
    }

    private void tick() {
        if (closed || !live || seam != null) {
            return;
        }
        if (lastSequence != lastAcked) {
            lastAcked = lastSequence;
            bus.send(Addresses.acks(name), new FeedAck(node, lastSequence, false));
        }
        if (System.nanoTime() - lastFrameNanos > FEED_SILENCE_MS * 1_000_000) {
            log.info("{}: no frame for {} s, subscribing again", name, FEED_SILENCE_MS / 1000);
            lastFrameNanos = System.nanoTime();
            subscribe();
        }
    }
}
