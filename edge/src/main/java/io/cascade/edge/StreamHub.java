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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
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
 *
 * <p>Following the owner: a subscription goes to the node that owns the stream (from the start event of its publish,
 * else from the registry), never to an address every ingesting node shares, which a frozen node would keep answering
 * for with silence until the cluster drops it. A start of another publish supersedes a subscription still on its way
 * to an older owner at once, and a subscription that fails while the registry still names an owner is tried again
 * ({@link #MAX_SUBSCRIBE_RETRIES}, backing off), so a hub never ends up waiting for a start it already missed.
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
    /** First wait before subscribing again after a failed subscription: a new owner is often up within it. */
    public static final long SUBSCRIBE_RETRY_FIRST_MS = 250;
    /** Longest wait between attempts: the owner is asked at most this rarely while the registry still names it. */
    public static final long SUBSCRIBE_RETRY_MAX_MS = 2_000;
    /**
     * Failed subscriptions in a row before the hub waits for a start event instead: with the backoff and
     * {@link #SNAPSHOT_TIMEOUT_MS} per attempt this outlasts the detection of a frozen owner (about 6 s), after which
     * the registry no longer names it.
     */
    public static final int MAX_SUBSCRIBE_RETRIES = 8;
    /**
     * After the followed publish stopped, the registry is asked again this much later. When a healed partition ends
     * one of two publishers of a name, the one kept sent its start event long before, so only the registry tells
     * where the stream is; after an ordinary stop the registry has let the name go by then, and the hub waits.
     */
    public static final long RECHECK_AFTER_STOP_MS = 1_000;
    /** How long the ingesting node may take to take a data message. */
    public static final long DATA_TIMEOUT_MS = 2_000;

    private final Vertx vertx;
    private final EventBus bus;
    private final Context context;
    private final String name;
    private final String node;
    private final GopCache gop;
    private final NodeCounters counters;
    private final StreamOwners owners;
    private final RateLimitedLog seamOverflow = new RateLimitedLog(log);
    private final Map<Class<?>, FrameSink> sinks = new LinkedHashMap<>();
    private MessageConsumer<MediaFrame> feed;
    private List<MediaFrame> seam;
    private boolean live;
    /** The publish this hub follows (from the snapshot reply), or null. */
    private String publish;
    /** The node that ingests the followed publish: where acknowledgements go. */
    private String owner;
    /** The node the pending subscription asks (null while the registry is asked who that is). */
    private String pendingOwner;
    /** Numbers subscriptions, so the answer to one superseded by a newer one is ignored. */
    private long generation;
    private int retries;
    private long retryTimer = -1;
    private boolean closed;
    private long lastSequence = -1;
    private long lastAcked = -1;
    private long lastFrameNanos;
    private long timer = -1;
    int references; // guarded by StreamHubs

    StreamHub(Vertx vertx, Context context, String name, String node, NodeCounters counters, StreamOwners owners) {
        this.owners = owners;
        this.vertx = vertx;
        this.bus = vertx.eventBus();
        this.context = context;
        this.name = name;
        this.node = node;
        this.counters = counters;
        this.gop = new GopCache(counters.memory);
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
     * Hands a JSON message a client sent for the stream to the node that ingests it, which puts it on the stream's
     * frame path ({@link Addresses#data}): it comes back to this hub, and every other node's, with the frames. Fails
     * when the stream is not live here (a {@link ReplyException} with code 409), or with the ingesting node's
     * refusal or silence. Callable from any thread; the result completes on the hub's event loop.
     */
    public Future<Void> sendData(String json) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            if (closed || !live || owner == null) {
                done.fail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "stream " + name + " is not live"));
                return;
            }
            bus.request(Addresses.data(name, owner), json, new DeliveryOptions().setSendTimeout(DATA_TIMEOUT_MS))
                    .onComplete(r -> {
                        if (r.succeeded()) {
                            done.complete();
                        } else {
                            done.fail(r.cause());
                        }
                    });
        });
        return done.future();
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
            subscribeTo(owner);
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
        vertx.cancelTimer(retryTimer);
        if (feed != null) {
            feed.unregister();
        }
        if (live) {
            bus.send(Addresses.acks(name, owner), new FeedAck(node, lastSequence, true));
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
            // another publish started: the one followed (if any) ended, maybe with its node, without a word; a
            // subscription still on its way to an older owner is superseded, since that owner may never answer
            endPublish();
            retries = 0;
            subscribeTo(Addresses.nodeOf(e.publish()));
        } else if (current || publish == null) {
            endPublish(); // a stop of an older publish, overtaken by a newer one, changes nothing
            if (current) {
                vertx.cancelTimer(retryTimer);
                retryTimer = vertx.setTimer(RECHECK_AFTER_STOP_MS, id -> {
                    retryTimer = -1;
                    if (!closed && !live && seam == null) {
                        subscribe();
                    }
                });
            }
        }
    }

    /**
     * Asks the registry where the stream is and follows that node if it is not the one followed (or asked) now: after
     * a partition healed, the owner kept may be one whose start this hub never heard of.
     */
    void lookAgain() {
        if (closed) {
            return;
        }
        long asked = generation;
        owners.owner(name).onComplete(found -> context.runOnContext(v -> {
            if (closed || asked != generation || found.failed() || found.result() == null) {
                return; // a subscription went out meanwhile, or nobody publishes the name: nothing to follow
            }
            String named = found.result();
            if (named.equals(seam != null ? pendingOwner : owner)) {
                return;
            }
            log.info("{}: the registry names node {} as its owner now, following it", name, named);
            endPublish();
            retries = 0;
            subscribeTo(named);
        }));
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
        owner = null;
    }

    /** Subscribes to the node the registry names as the stream's owner, unless a subscription is on its way. */
    private void subscribe() {
        if (seam != null) {
            return; // a subscription is on its way already
        }
        seam = new ArrayList<>(); // pending from now: feed frames wait for the snapshot
        pendingOwner = null;
        long asked = ++generation;
        owners.owner(name).onComplete(found -> context.runOnContext(v -> {
            if (closed || asked != generation) {
                return; // a start event sent the hub to an owner meanwhile
            }
            if (found.succeeded() && found.result() != null) {
                request(found.result(), asked);
            } else if (found.succeeded()) {
                seam = null;
                log.debug("{}: not published anywhere, waiting for a publisher", name);
                endPublish();
            } else {
                onSnapshot(asked, Future.failedFuture(found.cause()));
            }
        }));
    }

    /** Subscribes to this node, superseding a subscription on its way to another one. */
    private void subscribeTo(String ownerNode) {
        if (seam != null && ownerNode.equals(pendingOwner)) {
            return; // that very node is asked already
        }
        seam = new ArrayList<>(); // frames buffered for a superseded subscription may be another publish's
        request(ownerNode, ++generation);
    }

    private void request(String ownerNode, long asked) {
        pendingOwner = ownerNode;
        bus.<FrameBatch>request(Addresses.subscribe(name, ownerNode), node,
                        new DeliveryOptions().setSendTimeout(SNAPSHOT_TIMEOUT_MS))
                .onComplete(reply -> onSnapshot(asked, reply));
    }

    private void onSnapshot(long asked, AsyncResult<Message<FrameBatch>> reply) {
        if (asked != generation) {
            return; // superseded: a newer subscription owns the seam
        }
        List<MediaFrame> buffered = seam;
        String answered = pendingOwner;
        seam = null;
        pendingOwner = null;
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
            owner = answered;
            retries = 0;
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
            endPublish();
            if (retries < MAX_SUBSCRIBE_RETRIES) {
                // the registry may still name a live owner (a lost request, a new owner not quite up yet); the
                // retry asks it again, and stops when it names nobody
                long delay = Math.min(SUBSCRIBE_RETRY_MAX_MS, SUBSCRIBE_RETRY_FIRST_MS << Math.min(retries, 10));
                retries++;
                log.debug("{}: subscription to {} failed ({}), trying again in {} ms", name, answered,
                        reply.cause().getMessage(), delay);
                retryTimer = vertx.setTimer(delay, id -> {
                    retryTimer = -1;
                    if (!closed && !live && seam == null) {
                        subscribe();
                    }
                });
            } else {
                log.info("{}: subscription to {} failed {} times ({}), waiting for a publisher", name, answered,
                        retries, reply.cause().getMessage());
            }
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
            bus.send(Addresses.acks(name, owner), new FeedAck(node, lastSequence, false));
        }
        if (System.nanoTime() - lastFrameNanos > FEED_SILENCE_MS * 1_000_000) {
            log.info("{}: no frame for {} s, subscribing again", name, FEED_SILENCE_MS / 1000);
            lastFrameNanos = System.nanoTime();
            subscribe();
        }
    }
}
