package io.cascade.edge;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.FrameBatch;
import io.cascade.cluster.StreamEvent;
import io.cascade.media.GopCache;
import io.cascade.media.MediaFrame;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
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
 * One stream as this node sees it: the node's single event-bus consumer of the stream, a GOP cache for viewers
 * who join later, and the sinks (one per output protocol) that turn frames into bytes for viewers.
 *
 * <p>Joining: the hub subscribes first and asks the ingesting node for its snapshot second; live frames that
 * arrive meanwhile wait in a bounded buffer, and after the snapshot only those with a higher sequence number
 * are replayed, so the seam has no gap and no duplicate. Everything runs on the hub's event loop
 * ({@link #context()}).
 */
public final class StreamHub {
    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

    /** How long the ingesting node may take to answer a snapshot request. */
    public static final long SNAPSHOT_TIMEOUT_MS = 3_000;
    /** Live frames held while the snapshot is on its way: seconds of video even at high frame rates. */
    public static final int MAX_SEAM_FRAMES = 1024;

    private final EventBus bus;
    private final Context context;
    private final String name;
    private final GopCache gop = new GopCache();
    private final NodeCounters counters;
    private final RateLimitedLog seamOverflow = new RateLimitedLog(log);
    private final Map<Class<?>, FrameSink> sinks = new LinkedHashMap<>();
    private MessageConsumer<Object> consumer;
    private List<Object> seam = new ArrayList<>();
    private boolean live;
    private boolean closed;
    private long lastSequence = -1;
    int references; // guarded by StreamHubs

    StreamHub(EventBus bus, Context context, String name, NodeCounters counters) {
        this.bus = bus;
        this.counters = counters;
        this.context = context;
        this.name = name;
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

    /** The hub's sink of this type, created on first use. */
    @SuppressWarnings("unchecked")
    public <T extends FrameSink> T sink(Class<T> type, Supplier<T> create) {
        return (T) sinks.computeIfAbsent(type, t -> create.get());
    }

    void open() {
        consumer = bus.consumer(Addresses.media(name), this::onMessage);
        bus.<FrameBatch>request(Addresses.snapshot(name), null, new DeliveryOptions().setSendTimeout(SNAPSHOT_TIMEOUT_MS))
                .onComplete(this::onSnapshot);
    }

    void close() {
        closed = true;
        if (consumer != null) {
            consumer.unregister();
        }
        for (FrameSink s : sinks.values()) {
            s.onClosed();
        }
        sinks.clear();
        gop.clear();
    }

    private void onSnapshot(AsyncResult<Message<FrameBatch>> reply) {
        if (closed) {
            return;
        }
        if (reply.succeeded()) {
            FrameBatch batch = reply.result().body();
            for (MediaFrame f : batch.frames()) {
                gop.add(f);
            }
            lastSequence = batch.lastSequence();
            live = true;
        } else {
            log.debug("{}: no snapshot ({}), waiting for a publisher", name, reply.cause().getMessage());
        }
        List<Object> buffered = seam;
        seam = null;
        boolean eventReplayed = false;
        for (Object o : buffered) {
            eventReplayed |= o instanceof StreamEvent;
            dispatch(o);
        }
        if (live && !eventReplayed) {
            sinks.values().forEach(FrameSink::onStarted);
        }
    }

    private void onMessage(Message<Object> message) {
        if (closed) {
            return;
        }
        Object body = message.body();
        if (seam != null) {
            if (seam.size() < MAX_SEAM_FRAMES) {
                seam.add(body);
            } else if (body instanceof MediaFrame) {
                // the snapshot is late: frames lost here are recovered at the next keyframe
                counters.framesDroppedQueueFull.increment();
                seamOverflow.warn("{}: seam buffer full, a frame is lost while the snapshot is pending", name);
            }
            return;
        }
        dispatch(body);
    }

    private void dispatch(Object body) {
        if (body instanceof MediaFrame f) {
            if (f.sequence() <= lastSequence) {
                return; // already part of the snapshot
            }
            lastSequence = f.sequence();
            gop.add(f);
            for (FrameSink s : sinks.values()) {
                s.onFrame(f);
            }
        } else if (body instanceof StreamEvent e) {
            boolean started = e.kind() == StreamEvent.Kind.STARTED;
            if (live) {
                // a STARTED while live means the old publisher's node died without a word: end that publish first
                sinks.values().forEach(FrameSink::onStopped);
            }
            gop.clear();
            lastSequence = -1;
            live = started;
            if (started) {
                sinks.values().forEach(FrameSink::onStarted);
            }
        }
    }
}
