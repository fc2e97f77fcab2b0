package io.cascade.ingest;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.FeedAck;
import io.cascade.cluster.FrameBatch;
import io.cascade.cluster.StreamEvent;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.media.GopCache;
import io.cascade.media.JsonMetadata;
import io.cascade.media.MediaFrame;
import io.cascade.media.Segmenter;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.metrics.TokenBucket;
import io.cascade.settings.Setting;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stream being ingested on this node, whatever the protocol. Nodes that serve it subscribe (the reply is the
 * GOP cache's snapshot, so a new viewer anywhere starts at once) and from then on get each frame on their own
 * feed address, acknowledging what they received.
 *
 * <p>The event bus has no back-pressure: a frozen node would let frames pile up in the connection towards it for
 * as long as failure detection takes. So each subscriber has a window: frames it has not acknowledged may not
 * exceed the in-flight bound (default {@link #DEFAULT_MAX_IN_FLIGHT_BYTES}); past it, frames for that node are
 * dropped (counted) until it catches up and a keyframe comes, and a subscriber silent for
 * {@link #SUBSCRIBER_TIMEOUT_MS} is forgotten. Other nodes never notice. Used from one thread, the publisher connection's event loop.
 *
 * <p>Frames are numbered here ({@link MediaFrame#sequence}), in the order they are put in: the protocol's frames
 * and the JSON messages clients send for the stream from any node ({@link Addresses#data}), which go on the same
 * path as the media and so reach every node that serves the stream.
 */
public final class IngestStream {
    private static final Logger log = LoggerFactory.getLogger(IngestStream.class);

    /** About two GOPs of a 6 Mbit/s stream: a node that keeps up never has more than a few frames in flight. */
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 4L << 20;
    /** A window smaller than one keyframe of an ordinary 1080p stream would drop every keyframe it is sent. */
    public static final long MIN_MAX_IN_FLIGHT_BYTES = 256L << 10;
    /** Each subscribed node may pin this much: 1 GiB per node is more than any real backlog worth keeping. */
    public static final long MAX_MAX_IN_FLIGHT_BYTES = 1L << 30;
    public static final Setting<Long> MAX_IN_FLIGHT_BYTES = Setting.longInteger("cluster.feed.max.inflight.bytes",
            DEFAULT_MAX_IN_FLIGHT_BYTES, MIN_MAX_IN_FLIGHT_BYTES, MAX_MAX_IN_FLIGHT_BYTES,
            "frame bytes a subscribed node may leave unacknowledged; past it, frames for that node are dropped"
                    + " (counted as `queue_full`) until it catches up and a keyframe comes");
    /** Shorter segments cost a playlist refresh and a request per viewer that often, for no gain in latency. */
    public static final long MIN_SEGMENT_TARGET_MS = 100;
    /** A minute per segment is already far past what a live player buffers. */
    public static final long MAX_SEGMENT_TARGET_MS = 60_000;
    public static final Setting<Long> SEGMENT_TARGET_MS = Setting.longInteger("segment.target.ms",
            Segmenter.DEFAULT_TARGET_MILLIS, MIN_SEGMENT_TARGET_MS, MAX_SEGMENT_TARGET_MS,
            "segment length the ingest node cuts at (at the first keyframe past it); set it the same on every ingest node");
    /** A live playlist that lists no segment gives a player nothing to play. */
    public static final int MIN_PLAYLIST_LENGTH = 1;
    /** Segments the ingest node keeps for late packagers are held in memory per stream: 100 is a long window. */
    public static final int MAX_PLAYLIST_LENGTH = 100;
    public static final Setting<Integer> PLAYLIST_LENGTH = Setting.integer("hls.playlist.length",
            GopCache.DEFAULT_SEGMENTS_KEPT, MIN_PLAYLIST_LENGTH, MAX_PLAYLIST_LENGTH,
            "segments a live playlist lists; the ingest node keeps this many for nodes that start packaging late");
    /** Frames in flight to one node, so a stream of tiny frames is bounded too. */
    public static final int MAX_IN_FLIGHT_FRAMES = 2048;
    /** Nodes one stream is sent to at most: each costs a send per frame; far more edges than any cluster has. */
    public static final int MAX_SUBSCRIBERS = 1024;
    /** A subscribing node that acknowledges nothing for this long is gone (frozen, partitioned, dead). */
    public static final long SUBSCRIBER_TIMEOUT_MS = 10_000;
    /**
     * JSON messages from clients one stream takes per second, from all nodes together (bursts as large): each goes
     * to every subscribed node and every metadata subscriber, so a few clients within their own limits cannot flood
     * the cluster.
     */
    public static final int MAX_DATA_MESSAGES_PER_SECOND = 200;

    private static final java.util.concurrent.atomic.AtomicLong PUBLISHES = new java.util.concurrent.atomic.AtomicLong();

    private final Vertx vertx;
    private final EventBus bus;
    private final String selfNode;
    private final String name;
    /** This publish among all publishes of the name, cluster-wide: node, then a per-node counter. */
    private final String publishId;
    private final GopCache gop;
    private final Segments segments;
    private final StreamTimeline timeline;
    private final StreamRegistry registry;
    /** Created at the first frame, which places this publish on the stream's clock. */
    private Segmenter segmenter;
    /** Added to every frame's timestamps (in milliseconds) so media time is the stream's clock. */
    private long shiftMillis;
    private final NodeCounters counters;
    private final long maxInFlightBytes;
    private final RateLimitedLog behind = new RateLimitedLog(log);
    private final Map<String, Subscriber> subscribers = new HashMap<>();
    /** Payload bytes of this publish, shared with the metrics exporter through {@link NodeCounters#ingestStreamBytes}. */
    private final LongAdder payloadBytes = new LongAdder();
    private MessageConsumer<String> subscriptions;
    private MessageConsumer<FeedAck> acks;
    private MessageConsumer<String> data;
    private final TokenBucket dataRate = new TokenBucket(MAX_DATA_MESSAGES_PER_SECOND, MAX_DATA_MESSAGES_PER_SECOND);
    /** The stream's own frame numbering: protocol frames and data messages in the order they were put in. */
    private long nextSequence;
    /** The latest media time put in, on the stream's clock: where a data message goes. */
    private long lastDtsMillis;
    private long timer = -1;
    private boolean sawVideo;
    private long frames;

    /**
     * @param timeline where the stream's segment numbering stands after its earlier publishes (from the registry,
     *                 which this stream keeps up to date at every segment it starts)
     */
    public IngestStream(Vertx vertx, String selfNode, String name, NodeCounters counters, long maxInFlightBytes,
                        Segments segments, StreamTimeline timeline, StreamRegistry registry) {
        this.maxInFlightBytes = maxInFlightBytes;
        this.gop = GopCache.ofSegments(segments.kept(), GopCache.SEGMENT_CACHE_MAX_FRAMES, GopCache.SEGMENT_CACHE_MAX_BYTES,
                counters.memory);
        this.segments = segments;
        this.timeline = timeline;
        this.registry = registry;
        this.vertx = vertx;
        this.bus = vertx.eventBus();
        this.selfNode = selfNode;
        this.name = name;
        this.counters = counters;
        this.publishId = Addresses.publishId(selfNode, PUBLISHES.incrementAndGet());
    }

    public String name() {
        return name;
    }

    public void start() {
        // addresses of this node's own: a subscriber must reach the owner, not whichever node ingested the name before
        subscriptions = bus.consumer(Addresses.subscribe(name, selfNode), this::onSubscribe);
        acks = bus.consumer(Addresses.acks(name, selfNode), this::onAck);
        data = bus.consumer(Addresses.data(name, selfNode), this::onData);
        timer = vertx.setPeriodic(SUBSCRIBER_TIMEOUT_MS / 4, id -> forgetSilentSubscribers());
        counters.ingestStreamBytes.put(name, payloadBytes);
        bus.publish(Addresses.STREAM_EVENTS, new StreamEvent(StreamEvent.Kind.STARTED, name, publishId));
    }

    public void publish(MediaFrame received) {
        if (segmenter == null) {
            startClock(received);
        }
        MediaFrame frame = segmenter.place(received.shifted(
                Math.floorDiv(shiftMillis * received.timescale(), 1000)));
        if (frame.trackType() != TrackType.DATA) {
            lastDtsMillis = Math.max(lastDtsMillis, frame.dtsMillis());
        }
        put(frame);
    }

    /** A frame placed on the stream's clock and segments: numbered, cached and sent to every subscribed node. */
    private void put(MediaFrame placed) {
        MediaFrame frame = placed.withSequence(nextSequence++);
        if (frame.isSegmentStart()) {
            registry.saveTimeline(name, new StreamTimeline(segmenter.nextIndex(), timeline.publishes() + 1,
                    frame.clockAnchorMillis()));
        }
        gop.add(frame);
        if (!frame.isDataMessage()) {
            payloadBytes.add(frame.payload().length);
            frames++;
        }
        sawVideo |= frame.trackType() == TrackType.VIDEO;
        for (Subscriber s : subscribers.values()) {
            s.offer(frame);
        }
    }

    public void stop() {
        if (subscriptions != null) {
            subscriptions.unregister();
            acks.unregister();
            data.unregister();
            vertx.cancelTimer(timer);
            subscriptions = null;
        }
        subscribers.values().forEach(Subscriber::forget);
        subscribers.clear();
        counters.ingestStreamBytes.remove(name, payloadBytes);
        gop.clear();
        bus.publish(Addresses.STREAM_EVENTS, new StreamEvent(StreamEvent.Kind.STOPPED, name, publishId));
    }

    public long frames() {
        return frames;
    }

    /** Media payload bytes put in so far. From any thread. */
    public long payloadBytes() {
        return payloadBytes.sum();
    }

    /** What the segment cache holds now: configurations, metadata, the segments kept. On the stream's event loop. */
    public java.util.List<MediaFrame> snapshot() {
        return gop.snapshot();
    }

    /** How this node cuts the streams it ingests into segments (see {@link Segmenter}). */
    public record Segments(long targetMillis, int kept) {
        public Segments {
            if (targetMillis < MIN_SEGMENT_TARGET_MS || targetMillis > MAX_SEGMENT_TARGET_MS) {
                throw new IllegalArgumentException("segment.target.ms must be " + MIN_SEGMENT_TARGET_MS + ".."
                        + MAX_SEGMENT_TARGET_MS + ", not " + targetMillis);
            }
            if (kept < MIN_PLAYLIST_LENGTH || kept > MAX_PLAYLIST_LENGTH) {
                throw new IllegalArgumentException("hls.playlist.length must be " + MIN_PLAYLIST_LENGTH + ".." + MAX_PLAYLIST_LENGTH + ", not " + kept);
            }
        }
    }


    /**
     * Places this publish on the stream's clock: media time is the time since the stream was first published, so a
     * republish continues where the wall clock says instead of starting again at 0, and a player sees time go on.
     */
    private void startClock(MediaFrame first) {
        long now = System.currentTimeMillis();
        long anchor = timeline.clockAnchorMillis() != 0 ? timeline.clockAnchorMillis() : now - first.dtsMillis();
        shiftMillis = Math.max(0, now - anchor) - first.dtsMillis();
        lastDtsMillis = first.dtsMillis() + shiftMillis;
        segmenter = new Segmenter(segments.targetMillis(), timeline.nextSegment(), anchor);
    }

    private void onSubscribe(Message<String> request) {
        String node = request.body();
        if (!subscribers.containsKey(node) && subscribers.size() >= MAX_SUBSCRIBERS) {
            behind.warn("{}: {} nodes are subscribed already, node {} refused", name, subscribers.size(), node);
            request.fail(503, "stream " + name + " has " + MAX_SUBSCRIBERS + " subscribed nodes");
            return;
        }
        Subscriber previous = subscribers.put(node, new Subscriber(node));
        if (previous != null) {
            previous.forget(); // a node subscribing again starts over from this snapshot
        }
        request.reply(new FrameBatch(gop.snapshot(), gop.lastSequence(), publishId, timeline.publishes(),
                segments.targetMillis()));
    }

    /**
     * A JSON message a client sent for this stream, from any node: on the frame path at the stream's current media
     * time, so it reaches every node that serves the stream. The sender's node checked that it is one JSON text.
     * Refused (and counted by the sender's node) when over {@link #MAX_DATA_MESSAGES_PER_SECOND} (429), larger than
     * {@link JsonMetadata#MAX_MESSAGE_BYTES} (413), or before the stream's first frame (409).
     */
    private void onData(Message<String> message) {
        String json = message.body();
        if (segmenter == null) {
            message.fail(409, "stream " + name + " has no media yet");
            return;
        }
        if (json == null || json.length() > JsonMetadata.MAX_MESSAGE_BYTES
                || json.getBytes(StandardCharsets.UTF_8).length > JsonMetadata.MAX_MESSAGE_BYTES) {
            message.fail(413, "a data message is at most " + JsonMetadata.MAX_MESSAGE_BYTES + " bytes");
            return;
        }
        if (!dataRate.tryTake()) {
            message.fail(429, "stream " + name + " takes at most " + MAX_DATA_MESSAGES_PER_SECOND + " messages/s");
            return;
        }
        put(segmenter.place(JsonMetadata.frame(JsonMetadata.CLIENT_TYPE, json, lastDtsMillis, 0)));
        counters.dataMessagesPublished.increment();
        message.reply(null);
    }

    private void onAck(Message<FeedAck> message) {
        FeedAck ack = message.body();
        Subscriber s = subscribers.get(ack.node());
        if (s == null) {
            return;
        }
        if (ack.leaving()) {
            subscribers.remove(ack.node()).forget();
        } else {
            s.acknowledge(ack.sequence());
        }
    }

    private void forgetSilentSubscribers() {
        long now = System.nanoTime();
        subscribers.values().removeIf(s -> {
            boolean silent = now - s.lastHeardNanos > SUBSCRIBER_TIMEOUT_MS * 1_000_000;
            if (silent) {
                log.info("{}: node {} acknowledged nothing for {} s, no longer sending to it", name, s.node,
                        SUBSCRIBER_TIMEOUT_MS / 1000);
                s.forget();
            }
            return silent;
        });
    }

    /** One subscribed node: what was sent to it and not yet acknowledged. */
    private final class Subscriber {
        final String node;
        final String address;
        final boolean remote;
        final ArrayDeque<long[]> unacked = new ArrayDeque<>(); // {sequence, bytes}
        long unackedBytes;
        boolean resumeAtKeyframe;
        long lastHeardNanos = System.nanoTime();

        Subscriber(String node) {
            this.node = node;
            this.address = Addresses.feed(name, node);
            this.remote = !node.equals(selfNode);
        }

        void offer(MediaFrame f) {
            int size = f.payload().length;
            // config and onMetaData: tiny, and needed to decode; data messages stand alone but count in the window
            boolean essential = f.isConfig() || f.trackType() == TrackType.DATA && !f.isDataMessage();
            if (!essential) {
                boolean randomAccess = f.trackType() == TrackType.VIDEO ? f.isKeyframe() : !sawVideo;
                if (unackedBytes + size > maxInFlightBytes || unacked.size() >= MAX_IN_FLIGHT_FRAMES) {
                    resumeAtKeyframe |= !f.isDataMessage(); // media after a lost message decodes all the same
                    counters.framesDroppedQueueFull.increment();
                    behind.warn("{}: node {} is behind ({} bytes unacknowledged), dropping until it catches up",
                            name, node, unackedBytes);
                    return;
                }
                if (resumeAtKeyframe && !f.isDataMessage()) {
                    if (!randomAccess) {
                        counters.framesDroppedQueueFull.increment();
                        return;
                    }
                    resumeAtKeyframe = false;
                }
            }
            bus.send(address, f);
            unacked.add(new long[] {f.sequence(), size});
            unackedBytes += size;
            counters.eventBusInFlightBytes.add(size);
            if (remote) {
                counters.eventBusPeerBytesSent.add(size);
                counters.eventBusPeerFramesSent.increment();
            }
        }

        void acknowledge(long sequence) {
            lastHeardNanos = System.nanoTime();
            long released = 0;
            while (!unacked.isEmpty() && unacked.peek()[0] <= sequence) {
                released += unacked.poll()[1];
            }
            unackedBytes -= released;
            counters.eventBusInFlightBytes.add(-released);
        }

        void forget() {
            counters.eventBusInFlightBytes.add(-unackedBytes);
            unackedBytes = 0;
            unacked.clear();
        }
    }
}
